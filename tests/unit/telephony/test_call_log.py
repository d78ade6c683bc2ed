"""Call log: records built from the softphone's events, kept in SQLite, sent once, retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from telephony.call_log import CallLog
from telephony.events import (
    CallDirection,
    CallEnded,
    CallerIdentified,
    CallState,
    CallStateChanged,
    Candidate,
    EndCause,
    IdentificationOutcome,
    IncomingCall,
    OutgoingCallStarted,
)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class FlakySink:
    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[dict[str, Any]] = []

    async def send(self, record: dict[str, Any]) -> None:
        await asyncio.sleep(0)  # a real sink yields to the loop while it sends
        if self.failures:
            self.failures -= 1
            raise ConnectionError("serveur central injoignable")
        self.received.append(record)


def answered_call(log: CallLog, call_id: int = 1, number: str = "+33761717229") -> None:
    log.on_event(IncomingCall(call_id, number, "0761717229", "Claire Martin", "operateur", "abc", T0, False))
    log.on_event(CallerIdentified(call_id, number, IdentificationOutcome.PENDING, (), False, T0))
    martin = Candidate("professional", "pro-1", "Claire Martin", "Infirmière")
    log.on_event(CallerIdentified(call_id, number, IdentificationOutcome.IDENTIFIED, (martin,), False, T0))
    log.on_event(CallStateChanged(call_id, CallState.CONFIRMED, 200, "OK"))
    log.add_case_number(call_id, "2026-000123")
    log.on_event(CallEnded(call_id, CallDirection.INCOMING, EndCause.COMPLETED, 200, "OK", 42.5,
                           T0 + timedelta(seconds=50)))  # fmt: skip


def test_an_answered_call_is_recorded_with_its_caller_and_cases(tmp_path: Path) -> None:
    log = CallLog(tmp_path / "calls.sqlite3")
    answered_call(log)
    [record] = log.records()
    assert record["direction"] == "incoming"
    assert (record["remote_number"], record["remote_raw"], record["local_number"]) == (
        "+33761717229", "0761717229", "operateur",
    )  # fmt: skip
    assert record["identification"] == "identified"
    assert record["identified"] == [
        {"kind": "professional", "id": "pro-1", "display_name": "Claire Martin", "detail": "Infirmière"}
    ]
    assert record["case_numbers"] == ["2026-000123"]
    assert (record["outcome"], record["duration_seconds"]) == ("completed", 42.5)
    assert record["started_at"] == T0.isoformat()
    assert record["answered_at"] is not None
    assert len(record["id"]) == 36
    assert record["version"] == 1


def test_a_missed_call_has_no_answer_time(tmp_path: Path) -> None:
    log = CallLog(tmp_path / "calls.sqlite3")
    log.on_event(IncomingCall(3, "+33145678912", "0145678912", "", "operateur", "x", T0, True))
    log.on_event(CallEnded(3, CallDirection.INCOMING, EndCause.MISSED, 487, "Request Terminated", 0.0, T0))
    [record] = log.records()
    assert (record["outcome"], record["answered_at"], record["end_code"]) == ("missed", None, 487)


def test_an_outgoing_call_is_recorded(tmp_path: Path) -> None:
    log = CallLog(tmp_path / "calls.sqlite3", local_number="operateur")
    log.on_event(OutgoingCallStarted(4, "0612345678", "y", T0))
    log.on_event(CallEnded(4, CallDirection.OUTGOING, EndCause.UNANSWERED, 486, "Busy Here", 0.0, T0))
    [record] = log.records()
    assert (record["direction"], record["remote_number"], record["outcome"]) == (
        "outgoing", "0612345678", "unanswered",
    )  # fmt: skip


def test_records_survive_a_restart_and_are_sent_once_after_failures(tmp_path: Path) -> None:
    path = tmp_path / "calls.sqlite3"
    sink = FlakySink(failures=2)
    log = CallLog(path, sink)
    answered_call(log, 1)
    answered_call(log, 2, "+33145678912")
    assert asyncio.run(log.flush()) == 0
    log.close()
    reopened = CallLog(path, sink)  # the desktop restarted: nothing was lost
    assert len(reopened.unsent()) == 2
    assert asyncio.run(reopened.flush()) == 0  # second failure
    assert asyncio.run(reopened.flush()) == 2
    assert asyncio.run(reopened.flush()) == 0
    assert [r["remote_number"] for r in sink.received] == ["+33761717229", "+33145678912"]
    assert len({r["id"] for r in sink.received}) == 2
    assert reopened.unsent() == []


def test_a_case_added_after_the_call_resends_the_same_record(tmp_path: Path) -> None:
    sink = FlakySink()
    log = CallLog(tmp_path / "calls.sqlite3", sink)
    answered_call(log)
    asyncio.run(log.flush())
    record_id = sink.received[0]["id"]
    log.attach_case_after_call(record_id, "2026-000124")
    asyncio.run(log.flush())
    assert [r["id"] for r in sink.received] == [record_id, record_id]
    assert sink.received[1]["case_numbers"] == ["2026-000123", "2026-000124"]
    assert len(log.records()) == 1


def test_a_case_number_needs_a_call_in_progress(tmp_path: Path) -> None:
    log = CallLog(tmp_path / "calls.sqlite3")
    with pytest.raises(KeyError):
        log.add_case_number(99, "2026-000001")


def test_inside_an_event_loop_a_finished_call_is_sent_at_once_and_retried_later(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        sink = FlakySink(failures=1)
        log = CallLog(tmp_path / "calls.sqlite3", sink)
        answered_call(log)  # the immediate send fails
        await asyncio.sleep(0.05)
        after_failure = log.unsent()
        retrying = asyncio.ensure_future(log.keep_sending(every=0.01))
        await asyncio.sleep(0.1)
        retrying.cancel()
        return after_failure, sink.received

    after_failure, received = asyncio.run(scenario())
    assert len(after_failure) == 1
    assert [r["id"] for r in received] == [after_failure[0]["id"]]


def test_concurrent_flushes_send_each_record_once(tmp_path: Path) -> None:
    async def scenario() -> list[dict[str, Any]]:
        sink = FlakySink()
        log = CallLog(tmp_path / "calls.sqlite3", sink)
        answered_call(log, 1)
        answered_call(log, 2)
        await asyncio.gather(log.flush(), log.flush(), log.flush())
        return sink.received

    assert len(asyncio.run(scenario())) == 2
