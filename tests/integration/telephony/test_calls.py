"""Calls through Kamailio from pjsua2 peers in other processes (``centrale-phone call``).

The operator sends a 440 Hz tone and each caller a 660 Hz one instead of a microphone; both sides
record what they receive, so "media flows both ways" is checked on the audio itself.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.support.kamailio import Kamailio
from tests.support.sip_audio import is_tone, windows
from tests.support.sip_peers import JsonLinesProcess, OperatorProcess, centrale_phone


def call_operator(tmp_path: Path, kamailio: Kamailio, name: str, from_user: str, duration: float,
                  *extra: str) -> JsonLinesProcess:  # fmt: skip
    recordings = tmp_path / f"{name}-recordings"
    recordings.mkdir()
    return centrale_phone(
        tmp_path, name, "call", kamailio.uri("operateur"), "--from-user", from_user,
        "--duration", str(duration), "--tone", "660", "--record-dir", str(recordings), *extra,
    )  # fmt: skip


def call_records(operator: OperatorProcess) -> list[dict[str, Any]]:
    with sqlite3.connect(operator.call_log) as db:
        return [json.loads(row[0]) for row in db.execute("SELECT record FROM call_records ORDER BY ended_at")]


def only_recording(directory: Path) -> Path:
    found = sorted(directory.glob("call-*.wav"))
    assert len(found) == 1, found
    return found[0]


def test_incoming_call_pops_then_carries_audio_and_dtmf_until_the_caller_hangs_up(
    registered: OperatorProcess, kamailio: Kamailio, tmp_path: Path
) -> None:
    caller = call_operator(tmp_path, kamailio, "caller", "0761717229", 3.0,
                           "--display-name", "Claire Martin", "--dtmf", "123#")  # fmt: skip
    incoming = registered.wait_for("IncomingCall")
    assert (incoming["caller"], incoming["caller_raw"]) == ("+33761717229", "0761717229")
    assert (incoming["display_name"], incoming["called"], incoming["waiting"]) == (
        "Claire Martin",
        "operateur",
        False,
    )
    call_id = incoming["call_id"]
    popped = registered.wait_for("CallerIdentified", call_id=call_id)
    assert popped["outcome"] == "identified"
    assert [c["id"] for c in popped["candidates"]] == ["pro-1"]

    registered.command("answer", call_id=call_id)
    registered.wait_for("CallMediaChanged", call_id=call_id, media="active")
    digits = [registered.wait_for("DtmfReceived", call_id=call_id, digit=d)["digit"] for d in "123#"]
    assert digits == list("123#")
    ended = registered.wait_for("CallEnded", timeout=15, call_id=call_id)
    assert (ended["cause"], ended["direction"]) == ("completed", "incoming")
    assert 2.5 <= ended["duration_seconds"] <= 5
    assert caller.wait_exit() == 0

    heard_by_operator = windows(only_recording(registered.record_dir))
    heard_by_caller = windows(only_recording(tmp_path / "caller-recordings"))
    assert sum(is_tone(w, 660) for w in heard_by_operator) >= 6, heard_by_operator
    assert sum(is_tone(w, 440) for w in heard_by_caller) >= 6, heard_by_caller

    [record] = call_records(registered)
    assert record["outcome"] == "completed"
    assert (record["remote_number"], record["identification"]) == ("+33761717229", "identified")
    assert record["identified"][0]["display_name"] == "Claire Martin"
    assert record["answered_at"] is not None


def test_hold_cuts_the_audio_and_unhold_restores_it(
    registered: OperatorProcess, kamailio: Kamailio, tmp_path: Path
) -> None:
    caller = call_operator(tmp_path, kamailio, "caller", "0761717229", 6.0)
    call_id = registered.wait_for("IncomingCall")["call_id"]
    registered.command("answer", call_id=call_id)
    active = registered.wait_for("CallMediaChanged", call_id=call_id, media="active")
    time.sleep(1.0)
    mark = registered.mark()
    registered.command("hold", call_id=call_id)
    held = registered.wait_for("CallMediaChanged", after=mark, call_id=call_id, media="local_hold")
    caller.wait_for("CallMediaChanged", media="remote_hold")
    time.sleep(1.5)
    mark = registered.mark()
    registered.command("unhold", call_id=call_id)
    resumed = registered.wait_for("CallMediaChanged", after=mark, call_id=call_id, media="active")
    caller.wait_for("CallMediaChanged", after=caller.find_index("CallMediaChanged", media="remote_hold"),
                    media="active")  # fmt: skip
    ended = registered.wait_for("CallEnded", timeout=15, call_id=call_id)
    assert ended["cause"] == "completed"
    assert caller.wait_exit() == 0

    # The recorder only receives frames while audio flows: its length is the time off hold.
    heard = windows(only_recording(registered.record_dir))
    off_hold = (held["t"] - active["t"]) + (ended["t"] - resumed["t"])
    assert abs(len(heard) * 0.25 - off_hold) < 0.75, (len(heard), off_hold)
    assert resumed["t"] - held["t"] >= 1.5
    assert sum(is_tone(w, 660) for w in heard) >= len(heard) - 2, heard
