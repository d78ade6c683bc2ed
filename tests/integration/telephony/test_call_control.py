"""Transfer, call waiting, click-to-call: the operator's controls against real peers."""

from __future__ import annotations

import time
from pathlib import Path

from tests.integration.telephony.test_calls import call_operator, call_records, only_recording
from tests.support.kamailio import Kamailio, free_udp_port
from tests.support.sip_audio import is_silence, is_tone, windows
from tests.support.sip_peers import JsonLinesProcess, OperatorProcess, centrale_phone


def listener(tmp_path: Path, name: str) -> tuple[JsonLinesProcess, int]:
    port = free_udp_port()
    recordings = tmp_path / f"{name}-recordings"
    recordings.mkdir()
    peer = centrale_phone(tmp_path, name, "listen", "--port", str(port), "--auto-answer", "--tone", "880",
                          "--record-dir", str(recordings))  # fmt: skip
    peer.wait_for("Listening", timeout=15)
    return peer, port


def test_blind_transfer_hands_the_caller_to_a_third_phone(
    registered: OperatorProcess, kamailio: Kamailio, tmp_path: Path
) -> None:
    third, port = listener(tmp_path, "third")
    try:
        caller = call_operator(tmp_path, kamailio, "caller", "0761717229", 4.0)
        call_id = registered.wait_for("IncomingCall")["call_id"]
        registered.command("answer", call_id=call_id)
        registered.wait_for("CallStateChanged", call_id=call_id, state="confirmed")
        registered.command("transfer", call_id=call_id, destination=f"sip:tiers@127.0.0.1:{port}")
        done = registered.wait_for("TransferProgress", call_id=call_id, final=True)
        assert done["code"] == 200
        assert registered.wait_for("CallEnded", call_id=call_id)["cause"] == "transferred"
        reached = third.wait_for("IncomingCall")
        assert reached["caller"] == "+33761717229"
        third.wait_for("CallStateChanged", call_id=reached["call_id"], state="confirmed")
        assert third.wait_for("CallEnded", timeout=15, call_id=reached["call_id"])["cause"] == "completed"
        assert caller.wait_exit() == 0
        assert call_records(registered)[0]["outcome"] == "transferred"
    finally:
        third.stop()


def test_call_waiting_hold_the_first_take_the_second(
    registered: OperatorProcess, kamailio: Kamailio, tmp_path: Path
) -> None:
    first = call_operator(tmp_path, kamailio, "first", "0761717229", 5.0)
    one = registered.wait_for("IncomingCall", caller="+33761717229")
    assert one["waiting"] is False
    registered.command("answer", call_id=one["call_id"])
    registered.wait_for("CallStateChanged", call_id=one["call_id"], state="confirmed")
    second = call_operator(tmp_path, kamailio, "second", "0145678912", 30.0)
    two = registered.wait_for("IncomingCall", caller="+33145678912")
    assert two["waiting"] is True
    registered.command("hold", call_id=one["call_id"])
    registered.wait_for("CallMediaChanged", call_id=one["call_id"], media="local_hold")
    registered.command("answer", call_id=two["call_id"])
    registered.wait_for("CallStateChanged", call_id=two["call_id"], state="confirmed")
    # The first caller hangs up while on hold: that call ends cleanly, the second goes on.
    assert registered.wait_for("CallEnded", timeout=15, call_id=one["call_id"])["cause"] == "completed"
    assert first.wait_exit() == 0
    assert "n'existe plus" in registered.command_error("unhold", call_id=one["call_id"])
    registered.command("hang_up", call_id=two["call_id"])
    assert registered.wait_for("CallEnded", call_id=two["call_id"])["cause"] == "completed"
    assert second.wait_exit() == 0
    assert sorted(r["remote_number"] for r in call_records(registered)) == ["+33145678912", "+33761717229"]


def test_click_to_call_mute_and_dtmf_out(registered: OperatorProcess, tmp_path: Path) -> None:
    callee, port = listener(tmp_path, "callee")
    try:
        call_id = registered.command("call", destination=f"sip:0612345678@127.0.0.1:{port}")
        registered.wait_for("CallStateChanged", call_id=call_id, state="confirmed")
        registered.wait_for("CallMediaChanged", call_id=call_id, media="active")
        registered.command("send_dtmf", call_id=call_id, digits="9*")
        assert [callee.wait_for("DtmfReceived", digit=d)["digit"] for d in "9*"] == ["9", "*"]
        time.sleep(1.0)
        registered.command("set_muted", call_id=call_id, muted=True)
        assert registered.wait_for("CallMediaChanged", call_id=call_id, muted=True)["media"] == "active"
        time.sleep(1.5)
        registered.command("hang_up", call_id=call_id)
        assert registered.wait_for("CallEnded", call_id=call_id)["direction"] == "outgoing"
        callee.wait_for("CallEnded")
        [record] = call_records(registered)
        assert (record["direction"], record["outcome"]) == ("outgoing", "completed")
        callee.stop()  # its recording is complete once the process has shut down
        heard = windows(only_recording(tmp_path / "callee-recordings"))  # the operator's 440 Hz, then mute
        assert sum(is_tone(w, 440) for w in heard[:-6]) >= 3, heard
        assert all(is_silence(w) for w in heard[-4:]), heard
    finally:
        callee.stop()
