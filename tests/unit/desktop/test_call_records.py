"""Call records go through the outbox with the cases: stored once, retried by the same pusher, never
duplicated — against a scripted server that upserts records by id, as the real one does."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from desktop.services.call_records import OutboxCallSink
from desktop.store import ItemKind, LocalStore, OutboxState
from desktop.store.schema import SCHEMA_VERSION
from desktop.sync.errors import UNREACHABLE
from desktop.sync.outbox_pusher import OutboxPusher
from telephony.call_log import CallLog
from telephony.events import CallDirection, CallEnded, EndCause, IncomingCall
from tests.support.desktop_server import FakeServer, case_answer, ok, unreachable

pytestmark = pytest.mark.anyio
STARTED = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CASE = {"caller": {"name": "X"}, "requester": {"user_id": 1}, "patient_id": 0, "prescriptions": [{}]}


class CallsServer:
    """``POST /calls`` upserting by the record's id (``server/services/calls.py``)."""

    def __init__(self) -> None:
        self.calls: dict[str, dict[str, Any]] = {}
        self.posts = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        record = json.loads(request.content)
        self.posts += 1
        self.calls[record["id"]] = record
        answer = {
            **{k: record[k] for k in ("id", "direction", "remote_number", "remote_display_name")},
            **{k: record[k] for k in ("local_number", "identification", "identified", "started_at")},
            **{k: record[k] for k in ("answered_at", "ended_at", "outcome", "end_code", "end_reason")},
            "duration_seconds": record["duration_seconds"],
            "case_numbers": record["case_numbers"],
            "operator_id": 1,
            "operator_name": "Opératrice",
            "received_at": record["ended_at"],
            "callback_at": None,
            "callback_by": None,
            "callback_note": "",
        }
        return httpx.Response(201, json=answer)


class Clock:
    def __init__(self) -> None:
        self.now = STARTED

    def __call__(self) -> datetime:
        return self.now


async def one_call(call_log: CallLog, call_id: int = 1) -> None:
    """A missed call; the call log hands its record to its sink on the loop, as in the desktop."""
    ringing = IncomingCall(call_id, "+33199000001", "0199000001", "", "centrale", "sip-1", STARTED, False)
    call_log.on_event(ringing)
    ended = STARTED + timedelta(seconds=40)
    call_log.on_event(CallEnded(call_id, CallDirection.INCOMING, EndCause.MISSED, 487, "", 0.0, ended))
    for _ in range(3):
        await asyncio.sleep(0)
    assert call_log.unsent() == []  # handed to the outbox: the call log's part is done


async def test_a_call_record_is_retried_after_the_server_was_unreachable_and_not_duplicated(
    tmp_path: Path,
) -> None:
    server, store, clock, calls = FakeServer(), LocalStore(None), Clock(), CallsServer()
    pusher = OutboxPusher(server.client(), store.outbox, backoff_start=2.0, now=clock)
    call_log = CallLog(tmp_path / "calls.sqlite3", OutboxCallSink(store.outbox, pusher.wake))
    await one_call(call_log)
    [record] = call_log.records()
    [item] = store.outbox.items(kind=ItemKind.CALL_RECORD)
    assert (item.call_record_id, item.state, item.case_body) == (record["id"], OutboxState.PENDING, record)
    assert store.outbox.items() == []  # « Mes envois » lists the cases only

    server.script("POST /calls", unreachable)
    report = await pusher.push()
    assert [i.id for i in report.waiting] == [item.id]
    waiting = store.outbox.get(item.id)
    assert (waiting.state, waiting.attempts, waiting.reason) == (OutboxState.PENDING, 1, UNREACHABLE)
    assert waiting.next_attempt_at == clock.now + timedelta(seconds=2)

    # handed over again (a crash between the queuing and the call log's mark): still one item
    await OutboxCallSink(store.outbox, pusher.wake).send(record)
    assert [i.id for i in store.outbox.items(kind=None)] == [item.id]

    clock.now += timedelta(seconds=2)  # due again: the server is back
    server.script("POST /calls", calls)
    report = await pusher.push()
    assert [i.id for i in report.sent] == [item.id]
    assert calls.posts == 1
    assert list(calls.calls) == [record["id"]]
    assert store.outbox.get(item.id).state is OutboxState.SENT
    assert (await pusher.push()).sent == []  # sent once: nothing more goes
    assert calls.posts == 1

    # a case made from the call afterwards: the same record again, updated on the server
    call_log.attach_case_after_call(record["id"], "30000007")
    assert await call_log.flush() == 1
    server.script("POST /calls", calls)
    await pusher.push()
    assert calls.posts == 2
    assert list(calls.calls) == [record["id"]]  # upserted: one call on the server
    assert calls.calls[record["id"]]["case_numbers"] == ["30000007"]
    call_log.close()


async def test_cases_and_call_records_leave_in_order_by_the_same_pusher(tmp_path: Path) -> None:
    server, store, calls = FakeServer(), LocalStore(None), CallsServer()
    changed: list[tuple[ItemKind, OutboxState]] = []
    pusher = OutboxPusher(
        server.client(), store.outbox, on_change=lambda i: changed.append((i.kind, i.state))
    )
    case = store.outbox.enqueue(CASE, patient_id=1)
    call_log = CallLog(tmp_path / "calls.sqlite3", OutboxCallSink(store.outbox, pusher.wake))
    await one_call(call_log)
    server.script("POST /cases", unreachable)
    report = await pusher.push()
    assert len(report.waiting) == 2  # the record waits behind the case, as cases wait for each other
    assert [r.url.path for r in server.requests] == ["/api/v1/cases"]
    server.script("POST /cases", ok(case_answer(), 201))
    server.script("POST /calls", calls)
    report = await pusher.push(force=True)
    assert [(i.kind, i.id == case.id) for i in report.sent] == [
        (ItemKind.CASE, True),
        (ItemKind.CALL_RECORD, False),
    ]
    assert changed[-2:] == [(ItemKind.CASE, OutboxState.SENT), (ItemKind.CALL_RECORD, OutboxState.SENT)]
    call_log.close()


async def test_a_record_queued_again_while_it_is_being_sent_goes_once_more(tmp_path: Path) -> None:
    server, store, calls = FakeServer(), LocalStore(None), CallsServer()
    pusher = OutboxPusher(server.client(), store.outbox)
    call_log = CallLog(tmp_path / "calls.sqlite3", OutboxCallSink(store.outbox, pusher.wake))
    await one_call(call_log)
    [record] = call_log.records()

    def newer_during_the_send(request: httpx.Request) -> httpx.Response:
        store.outbox.enqueue_call_record({**record, "case_numbers": ["30000008"]})  # a case meanwhile
        return calls(request)

    server.script("POST /calls", newer_during_the_send, calls)
    report = await pusher.push()
    assert report.sent == []
    assert len(report.waiting) == 1  # the newer one is still to send
    report = await pusher.push()
    assert len(report.sent) == 1
    assert calls.calls[record["id"]]["case_numbers"] == ["30000008"]
    assert len(store.outbox.items(kind=ItemKind.CALL_RECORD)) == 1
    call_log.close()


def test_a_version_2_file_gains_the_kind_column_and_its_items_are_cases(tmp_path: Path) -> None:
    path = tmp_path / "local.sqlite3"
    store = LocalStore(path)
    store.outbox.enqueue(CASE, patient_id=3)
    store.close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # back to what version 2 wrote
        connection.execute(text("ALTER TABLE outbox DROP COLUMN kind"))
        connection.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
    engine.dispose()
    store = LocalStore(path)
    assert store.found_version == 2
    [item] = store.outbox.items()
    assert (item.kind, item.patient_id) == (ItemKind.CASE, 3)
    assert "kind" in {c["name"] for c in inspect(store.engine).get_columns("outbox")}
    store.close()
    assert LocalStore(path).found_version == SCHEMA_VERSION == 4
