"""Appending to and reading the change feed.

Numbering, gap-free for a resuming reader (a reader that has seen event N never later finds an
event numbered below N appear), from the single `feed_counter` row, in the same transaction as
the change the event describes:
- PostgreSQL: the event is inserted with a negative placeholder number; a deferred constraint
  trigger (migration 0004) gives it the next number inside COMMIT and queues
  `pg_notify('centrale_events', seq)`, delivered at commit to every server process (server/live/).
  The counter's row lock is held for the commit alone, and released once the commit is visible.
- SQLite: the event takes the next number at once; transactions are serialised from their first
  statement (BEGIN IMMEDIATE), so numbers follow commit order.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from server.db import EVENT_SEQS_KEY
from server.models import Event, FeedCounter, Prescription
from server.models.base import UtcDateTime
from shared.schemas.dispatch import EventView
from shared.schemas.feed import EventPayload, PrescriptionChange

NOTIFY_CHANNEL = "centrale_events"  # as named by the trigger of migration 0004


_INSERT = (
    "INSERT INTO events (seq, type, at, case_id, prescription_id, data)"
    " VALUES ({seq}, :type, :at, :case_id, :prescription_id, {data})"
)
_EVENT = {
    # Numbered at commit by the trigger of migration 0004.
    "postgresql": text(
        _INSERT.format(seq="-nextval('events_placeholder_seq')", data="CAST(:data AS json)")
    ).bindparams(bindparam("at", type_=UtcDateTime())),
    "sqlite": text(_INSERT.format(seq=":seq", data=":data")).bindparams(bindparam("at", type_=UtcDateTime())),
}
_NEXT_SEQ = text("UPDATE feed_counter SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq")


def append_event(
    session: Session,
    payload: EventPayload,
    at: datetime,
    *,
    case_id: int | None = None,
    prescription_id: int | None = None,
) -> None:
    """Fixed statements (no expression to compose): every change of the service appends one.

    The payload's class is the event's type (shared/schemas/feed.py); a prescription's event
    names its case and prescription."""
    if isinstance(payload, PrescriptionChange) and (case_id is None or prescription_id is None):
        raise ValueError(f"{payload.TYPE} needs its case_id and prescription_id")
    values: dict[str, Any] = {
        "type": payload.TYPE.value,
        "at": at,
        "case_id": case_id,
        "prescription_id": prescription_id,
        "data": json.dumps(payload.data()),
    }
    known = None
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_EVENT["postgresql"], values)
    else:
        known = values["seq"] = session.execute(_NEXT_SEQ).scalar_one()
        session.execute(_EVENT["sqlite"], values)
    # After commit, this process's followers are woken (server/db.py; None: number not known here).
    session.info.setdefault(EVENT_SEQS_KEY, []).append(known)


def append_prescription_event(
    session: Session, prescription: Prescription, payload: PrescriptionChange, at: datetime
) -> None:
    append_event(session, payload, at, case_id=prescription.case_id, prescription_id=prescription.id)


def events_after(session: Session, after: int, limit: int) -> list[EventView]:
    rows = session.scalars(select(Event).where(Event.seq > after).order_by(Event.seq).limit(limit))
    return [
        EventView(
            seq=e.seq, type=e.type, at=e.at, case_id=e.case_id, prescription_id=e.prescription_id, data=e.data
        )
        for e in rows
    ]


def last_seq(session: Session) -> int:
    return int(session.scalar(select(FeedCounter.last_seq).where(FeedCounter.id == 1)) or 0)
