"""The hotline's distribution through the real parts: a central server (SQLite and PostgreSQL) whose
operators' states decide, Kamailio with the shipped configuration asking it per INVITE, operators'
pjsua2 softphones in their own processes, SIPp callers (docs/hotline.md)."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import start_live
from tests.support.hotline_rig import Desk, HotlineRig
from tests.support.live import LiveServer
from tests.support.polling import wait_until


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: the hotline's state is one per server."""
    yield from start_live(request.param, tmp_path_factory.mktemp(f"hotline-{request.param}"))


def start_rig(live: LiveServer, tmp_path: Path, strategy: str) -> HotlineRig:
    return HotlineRig.start(live, tmp_path, strategy=strategy, ring_seconds=5)


def state_of(rig: HotlineRig, desk: Desk) -> dict[str, Any]:
    return rig.hotline.agents()[desk.account.id]


def back_to_available(rig: HotlineRig, desk: Desk) -> None:
    """What the desktop does after the wrap-up: once the server has the call ended (Post-appel)."""
    wait_until(lambda: state_of(rig, desk)["state"] == "after_call")
    desk.set("available")


@pytest.mark.parametrize("strategy", ["ring_all", "longest_idle"])
def test_twenty_calls_never_ring_the_paused_operator_and_are_shared(
    live: LiveServer, tmp_path: Path, strategy: str
) -> None:
    rig = start_rig(live, tmp_path, strategy)
    try:
        first, second = rig.desk("op1"), rig.desk("op2")
        paused = rig.desk("op3", "pause")
        answered: list[str] = []
        for n in range(20):
            marks = {d.sip_user: d.phone.mark() for d in (first, second)}
            caller = rig.caller(f"0761717{n:03d}")
            if strategy == "ring_all":  # both ring; the test lets them take turns
                rings = {d.sip_user: d.incoming(after=marks[d.sip_user]) for d in (first, second)}
                winner = (first, second)[n % 2]
                ring = rings[winner.sip_user]
            else:  # one rings: the one idle the longest
                wait_until(lambda: any(d.rang(marks[d.sip_user]) for d in (first, second)))  # noqa: B023
                winner = next(d for d in (first, second) if d.rang(marks[d.sip_user]))
                ring = winner.rang(marks[winner.sip_user])[0]
            assert ring["called"] == "hotline"
            assert ring["caller"] == f"+33761717{n:03d}"
            winner.phone.command("answer", call_id=ring["call_id"])
            assert rig.finish(caller) == 0
            winner.phone.wait_for("CallEnded", call_id=ring["call_id"], after=marks[winner.sip_user])
            answered.append(winner.sip_user)
            back_to_available(rig, winner)
        assert paused.rang() == []
        assert Counter(answered) == {"op1": 10, "op2": 10}
        if strategy == "longest_idle":
            assert all(a != b for a, b in itertools.pairwise(answered))  # turn by turn
            assert not [e for d in (first, second) for e in d.rang() if e["waiting"]]
        states = {d.sip_user: state_of(rig, d) for d in (first, second, paused)}
        assert states["op3"]["state"] == "pause"
        assert (states["op1"]["unanswered_in_row"], states["op2"]["unanswered_in_row"]) == (0, 0)
    finally:
        rig.stop()


def test_longest_idle_rings_the_next_operator_when_the_first_does_not_answer(
    live: LiveServer, tmp_path: Path
) -> None:
    rig = start_rig(live, tmp_path, "longest_idle")
    try:
        first, second = rig.desk("op1"), rig.desk("op2")
        caller = rig.caller("0145678912")
        wait_until(lambda: bool(first.rang() or second.rang()))
        silent = first if first.rang() else second
        other = second if silent is first else first
        rang_at = time.monotonic()
        ring = other.incoming(timeout=10)  # after ring_seconds (5 s) without an answer
        assert time.monotonic() - rang_at >= 4.0
        assert len(silent.rang()) == 1
        silent.phone.wait_for("CallEnded", cause="missed")  # Kamailio stopped its ringing
        other.phone.command("answer", call_id=ring["call_id"])
        assert rig.finish(caller) == 0
        back_to_available(rig, other)
        assert state_of(rig, silent)["unanswered_in_row"] == 1
        assert state_of(rig, other)["unanswered_in_row"] == 0
    finally:
        rig.stop()


def test_a_killed_operator_is_no_longer_rung_once_its_registration_lapsed(
    live: LiveServer, tmp_path: Path
) -> None:
    rig = start_rig(live, tmp_path, "longest_idle")
    try:
        doomed = rig.desk("op1", expires=2)  # a desktop registers for 2 s here (60 s in production)
        survivor = rig.desk("op2")
        doomed.phone.process.kill()  # a crash: nothing unregisters, nothing tells the server
        doomed.phone.process.wait(timeout=5)
        wait_until(lambda: not rig.kamailio.has_location("op1"), timeout=6)
        for n in range(3):
            mark = survivor.phone.mark()
            started = time.monotonic()
            caller = rig.caller(f"0590123{n:03d}")
            ring = survivor.incoming(after=mark)
            assert time.monotonic() - started < 2.0  # not after ring_seconds on a dead phone
            survivor.phone.command("answer", call_id=ring["call_id"])
            assert rig.finish(caller) == 0
            back_to_available(rig, survivor)
        # each INVITE offered to the vanished desk failed at once: after 3 in a row, Pause
        gone = state_of(rig, doomed)
        assert (gone["state"], gone["pause_reason"]) == ("pause", "unanswered")
    finally:
        rig.stop()
