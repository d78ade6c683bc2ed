"""The hotline's queue through the real parts: nobody available → Kamailio sends the caller to the
queue holder (a pjsua2 B2BUA), which answers, plays the announcement then the hold tone, asks the
server for an operator and bridges the caller to the first one who becomes available; a caller who
gives up is a lost call with their wait (docs/hotline.md)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.validation.phones import normalize_phone
from tests.integration.conftest import start_live
from tests.support.hotline_rig import HOTLINE, HotlineRig
from tests.support.kamailio import HotlineRouting, Kamailio
from tests.support.live import TELEPHONY_TOKEN, LiveServer
from tests.support.polling import wait_until
from tests.support.sip_audio import is_tone, windows
from tests.support.sip_peers import centrale_phone

HOLD_TONE = 523.0
OPERATOR_TONE = 440.0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: the hotline's state is one per server."""
    yield from start_live(request.param, tmp_path_factory.mktemp(f"queue-{request.param}"))


@pytest.fixture
def rig(live: LiveServer, tmp_path: Path) -> Iterator[HotlineRig]:
    rig = HotlineRig.start(live, tmp_path, strategy="longest_idle", ring_seconds=5)
    try:
        yield rig
    finally:
        rig.stop()


def e164(number: str) -> str:
    """The server keeps the number as Kamailio sent it (the From user); compare them as numbers."""
    return normalize_phone(number)


def lost_calls(rig: HotlineRig, number: str) -> list[dict[str, Any]]:
    found = rig.supervisor().get("/calls", params={"to_call_back": "true"})
    assert found.status_code == 200, found.text
    return [c for c in found.json() if e164(c["remote_number"]) == number]


def test_everyone_busy_the_caller_hears_the_announcement_then_gets_the_first_free_operator(
    rig: HotlineRig, tmp_path: Path
) -> None:
    first = rig.desk("op1", "pause")
    second = rig.desk("op2", "pause")
    recordings = tmp_path / "caller-recordings"
    recordings.mkdir()
    caller = centrale_phone(
        tmp_path, "caller", "call", rig.kamailio.uri(HOTLINE), "--from-user", "0761717229",
        "--display-name", "Claire Martin", "--duration", "12", "--record-dir", str(recordings),
    )  # fmt: skip
    try:
        arrived = rig.holder.wait_for("CallerArrived", timeout=10)
        assert (arrived["number"], arrived["display_name"]) == ("+33761717229", "Claire Martin")
        rig.holder.wait_for("PlaybackStarted", what="announcement", caller=arrived["caller"])
        caller.wait_for("CallStateChanged", state="confirmed")  # answered by the holder: media flows
        rig.holder.wait_for("PlaybackStarted", what="hold_tone", caller=arrived["caller"], timeout=10)
        queue = rig.server.admin().get("/hotline/queue").json()
        assert [e164(w["caller_number"]) for w in queue["waiting"]] == ["+33761717229"]
        time.sleep(1.0)  # a second of hold tone in the recording
        second.set("available")  # the first operator to become available takes the caller
        ring = second.incoming(timeout=5)
        assert (ring["caller"], ring["display_name"]) == ("+33761717229", "Claire Martin")  # PAI
        second.phone.command("answer", call_id=ring["call_id"])
        rig.holder.wait_for("OperatorAnswered", caller=arrived["caller"])
        first.set("available")  # too late for this caller
        caller.wait_for("CallEnded", timeout=20)
        rig.holder.wait_for("Told", kind="ended", sip_user="op2", timeout=5)
    finally:
        caller.stop()
    assert first.rang() == []
    heard = windows(next(recordings.glob("*.wav")))
    speech = [w for w in heard[: int(5 / 0.25)] if w.rms > 1000 and not is_tone(w, HOLD_TONE)]
    assert len(speech) >= 8  # the spoken announcement (5.5 s) reached the caller
    assert any(is_tone(w, HOLD_TONE) for w in heard)  # then the hold tone
    first_operator = next(i for i, w in enumerate(heard) if is_tone(w, OPERATOR_TONE))
    assert all(not is_tone(w, OPERATOR_TONE) for w in heard[:first_operator])
    assert sum(is_tone(w, OPERATOR_TONE) for w in heard[first_operator:]) >= 4  # the operator's voice
    assert not lost_calls(rig, "+33761717229")


def test_a_caller_who_hangs_up_while_waiting_is_a_lost_call_with_the_wait(rig: HotlineRig) -> None:
    rig.desk("op1", "pause")
    caller = rig.caller("0145678912", talk_ms=3000, name="Cabinet Durand")  # 3 s in the queue
    arrived = rig.holder.wait_for("CallerArrived", timeout=10)
    assert rig.finish(caller) == 0
    rig.holder.wait_for("CallerLeft", caller=arrived["caller"])
    rig.holder.wait_for("Told", kind="lost", call_id=arrived["sip_call_id"])
    wait_until(lambda: bool(lost_calls(rig, "+33145678912")))
    [lost] = lost_calls(rig, "+33145678912")
    assert lost["operator_id"] is None
    assert lost["outcome"] == "missed"
    assert 2.8 <= lost["queue_wait_seconds"] <= 6.0
    assert lost["remote_display_name"] == "Cabinet Durand"
    assert rig.server.admin().get("/hotline/queue").json()["waiting"] == []


def test_an_operator_who_does_not_answer_the_queue_puts_the_caller_back_first(rig: HotlineRig) -> None:
    silent = rig.desk("op1", "pause")
    first = rig.caller("0761717001", talk_ms=20000)
    first_in = rig.holder.wait_for("CallerArrived", timeout=10)
    second = rig.caller("0761717002", talk_ms=20000)
    rig.holder.wait_for("CallerArrived", timeout=10, after=rig.holder.find_index("CallerArrived") + 1)
    try:
        silent.set("available")
        ring = silent.incoming(timeout=5)
        assert ring["caller"] == "+33761717001"  # the oldest caller first
        mark = silent.phone.mark()
        rig.holder.wait_for("OperatorFailed", caller=first_in["caller"], timeout=10)  # rang out after 5 s
        rig.holder.wait_for("Told", kind="unanswered", sip_user="op1")
        again = silent.incoming(after=mark, timeout=5)
        assert again["caller"] == "+33761717001"  # back at the head, before the second caller
        silent.phone.command("answer", call_id=again["call_id"])
        rig.holder.wait_for("OperatorAnswered", caller=first_in["caller"])
        rig.holder.wait_for("Told", kind="answered", sip_user="op1")
        grid = rig.hotline.agents()[silent.account.id]
        assert (grid["state"], grid["unanswered_in_row"]) == ("in_call", 0)
        waiting = rig.server.admin().get("/hotline/queue").json()["waiting"]
        assert [e164(w["caller_number"]) for w in waiting] == ["+33761717002"]
    finally:
        for process, _label in (first, second):
            process.kill()
            process.wait()


def test_a_server_that_does_not_answer_within_a_second_sends_the_caller_to_the_queue(
    rig: HotlineRig, tmp_path: Path
) -> None:
    with socket.socket() as silent:  # accepts the connection (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        lines = tuple(f"127.0.0.1:{line}" for line in rig.holder.find("Listening")[0]["ports"])
        routing = HotlineRouting(f"http://127.0.0.1:{port}", TELEPHONY_TOKEN, lines, ring_seconds=5)
        blind = Kamailio(tmp_path / "blind-kamailio", {}, hotline=routing)
        blind.start()
        try:
            started = time.time()
            mark = rig.holder.mark()
            caller = rig.caller("0299000001", talk_ms=500, proxy=blind.domain)
            arrived = rig.holder.wait_for("CallerArrived", timeout=10, after=mark)
            assert 0.9 <= arrived["t"] - started <= 2.5  # one second of patience, then the queue
            assert rig.finish(caller) == 0
        finally:
            blind.stop()
