"""The call log: every call stored locally (SQLite) and handed to a sink (the central server).

A record is written when its call ends, then sent; a record the sink refused or could not take
stays unsent and is retried by ``flush`` (call it after each call and on a timer). Each record
carries a UUID, so a record sent twice (a crash between the send and the mark, or a case number
added after the call) is an update of the same call on the server, never a second call. The JSON
shape of one record is documented in docs/telephony.md.

The file is the user's alone (created ``0600``) and forgets a record ``HANDED_OVER_GRACE`` after
its sink took it (on opening): the record then lives in the sink (the desktop's outbox, which erases
it once the server has it), and a case linked to the call later than that is linked by the server
from the case itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from telephony.events import (
    CallEnded,
    CallerIdentified,
    CallState,
    CallStateChanged,
    IdentificationOutcome,
    IncomingCall,
    OutgoingCallStarted,
    PhoneEvent,
)

log = logging.getLogger(__name__)
RECORD_VERSION = 1
HANDED_OVER_GRACE = timedelta(hours=12)  # the desktop's sent lines' grace (desktop/store/retention.py)


class CallLogSink(Protocol):
    async def send(self, record: dict[str, Any]) -> None:
        """Delivers one record; raises on failure (the record is then retried later)."""


@dataclass(slots=True)
class _LiveCall:
    record_id: str
    direction: str
    remote_number: str
    remote_raw: str
    remote_display_name: str
    local_number: str
    sip_call_id: str
    started_at: datetime
    answered_at: datetime | None = None
    identification: str | None = None
    identified: list[dict[str, str]] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class CallLog:
    def __init__(self, path: Path, sink: CallLogSink | None = None, *, local_number: str = "") -> None:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # numbers and names: the user's only
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA secure_delete=ON")  # a forgotten record is overwritten
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS call_records (id TEXT PRIMARY KEY, ended_at TEXT NOT NULL,"
            " record TEXT NOT NULL, sent_at TEXT)"
        )
        self._db.commit()
        self.forget_handed_over(datetime.now(UTC) - HANDED_OVER_GRACE)
        self.sink = sink
        self._local_number = local_number
        self._live: dict[int, _LiveCall] = {}
        self._sending = asyncio.Lock()  # one flush at a time: a record is never sent twice at once
        self._tasks: set[asyncio.Task[int]] = set()

    def close(self) -> None:
        self._db.close()

    def forget_handed_over(self, before: datetime) -> int:
        """Deletes the records the sink took before ``before``; returns how many (unsent ones stay)."""
        rows = self._db.execute("SELECT id, sent_at FROM call_records WHERE sent_at IS NOT NULL").fetchall()
        old = [(record_id,) for record_id, sent_at in rows if datetime.fromisoformat(sent_at) < before]
        self._db.executemany("DELETE FROM call_records WHERE id = ? AND sent_at IS NOT NULL", old)
        self._db.commit()
        return len(old)

    # ---- following the softphone -------------------------------------------------------------
    def on_event(self, event: PhoneEvent) -> None:
        """A softphone (and screen pop) listener."""
        match event:
            case IncomingCall():
                self._live[event.call_id] = _LiveCall(
                    str(uuid.uuid4()), "incoming", event.caller, event.caller_raw, event.display_name,
                    event.called, event.sip_call_id, event.received_at,
                )  # fmt: skip
            case OutgoingCallStarted():
                self._live[event.call_id] = _LiveCall(
                    str(uuid.uuid4()), "outgoing", event.destination, event.destination, "",
                    self._local_number, event.sip_call_id, event.started_at,
                )  # fmt: skip
            case CallStateChanged(state=CallState.CONFIRMED) if event.call_id in self._live:
                live = self._live[event.call_id]
                live.answered_at = live.answered_at or datetime.now(UTC)
            case CallerIdentified() if event.call_id in self._live:
                live = self._live[event.call_id]
                if event.outcome is not IdentificationOutcome.PENDING or live.identification is None:
                    live.identification = event.outcome.value
                    live.identified = [
                        {"kind": c.kind, "id": c.id, "display_name": c.display_name, "detail": c.detail}
                        for c in event.candidates
                    ]
            case CallEnded() if event.call_id in self._live:
                self._store(self._live.pop(event.call_id), event)
                self._send_soon()

    def _send_soon(self) -> None:
        """Sends the new record at once when running inside an event loop (as the desktop does)."""
        if self.sink is None:
            return
        try:
            task = asyncio.get_running_loop().create_task(self.flush())
        except RuntimeError:  # no loop: the owner calls flush() itself
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def keep_sending(self, every: float = 30.0) -> None:
        """Retries the unsent records forever (run it as a background task)."""
        while True:
            await self.flush()
            await asyncio.sleep(every)

    def record_id(self, call_id: int) -> str | None:
        """The UUID of the record of a call in progress."""
        live = self._live.get(call_id)
        return live.record_id if live else None

    def add_case_number(self, call_id: int, case_number: str) -> None:
        """A case was created while this call was in progress."""
        live = self._live.get(call_id)
        if live is None:
            raise KeyError(call_id)
        if case_number not in live.case_numbers:
            live.case_numbers.append(case_number)

    def attach_case_after_call(self, record_id: str, case_number: str) -> None:
        """A case created just after the call: the stored record is updated and sent again."""
        row = self._db.execute("SELECT record FROM call_records WHERE id = ?", (record_id,)).fetchone()
        if row is None:  # forgotten after its grace: the case carries the call's id to the server
            log.info("call record %s no longer kept here: case %s not added to it", record_id, case_number)
            return
        record = json.loads(row[0])
        if case_number not in record["case_numbers"]:
            record["case_numbers"].append(case_number)
            text = json.dumps(record, ensure_ascii=False)
            update = "UPDATE call_records SET record = ?, sent_at = NULL WHERE id = ?"
            self._db.execute(update, (text, record_id))
            self._db.commit()

    def _store(self, live: _LiveCall, ended: CallEnded) -> None:
        record: dict[str, Any] = {
            "version": RECORD_VERSION,
            "id": live.record_id,
            "direction": live.direction,
            "remote_number": live.remote_number,
            "remote_raw": live.remote_raw,
            "remote_display_name": live.remote_display_name,
            "local_number": live.local_number,
            "identification": live.identification,
            "identified": live.identified,
            "started_at": _iso(live.started_at),
            "answered_at": _iso(live.answered_at),
            "ended_at": _iso(ended.ended_at),
            "outcome": ended.cause.value,
            "end_code": ended.code,
            "end_reason": ended.reason,
            "duration_seconds": round(ended.duration_seconds, 3),
            "case_numbers": live.case_numbers,
            "sip_call_id": live.sip_call_id,
        }
        self._db.execute(
            "INSERT INTO call_records (id, ended_at, record) VALUES (?, ?, ?)",
            (live.record_id, record["ended_at"], json.dumps(record, ensure_ascii=False)),
        )
        self._db.commit()

    # ---- reading and sending ---------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT record FROM call_records ORDER BY ended_at").fetchall()
        return [json.loads(row[0]) for row in rows]

    def unsent(self) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT record FROM call_records WHERE sent_at IS NULL ORDER BY ended_at"
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    async def flush(self) -> int:
        """Sends the unsent records, oldest first; stops at the first failure. Returns how many went."""
        if self.sink is None:
            return 0
        async with self._sending:
            return await self._send_unsent(self.sink)

    async def _send_unsent(self, sink: CallLogSink) -> int:
        sent = 0
        for record in self.unsent():
            try:
                await sink.send(record)
            except Exception:
                log.warning("call record %s not sent; it will be retried", record["id"], exc_info=True)
                break
            self._db.execute(
                "UPDATE call_records SET sent_at = ? WHERE id = ? AND record = ?",
                (datetime.now(UTC).isoformat(), record["id"], json.dumps(record, ensure_ascii=False)),
            )
            self._db.commit()
            sent += 1
        return sent
