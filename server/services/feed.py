"""Appending to and reading the change feed.

Numbering: every event takes the next number from the single `feed_counter` row with an UPDATE,
in the same transaction as the change it describes. The row lock is held until commit, so events
become visible in the order of their numbers: a reader that resumes after `seq` N can never later
find an event numbered below N appear (no gaps for a resuming reader). Transactions append their
events last, after their other row changes, so the counter is always the last lock taken.
On PostgreSQL the transaction also queues `pg_notify('centrale_events', seq)`, delivered at commit
to every server process (see server/live/).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from server.db import EVENT_SEQS_KEY
from server.models import Event, FeedCounter
from shared.schemas.dispatch import EventView

NOTIFY_CHANNEL = "centrale_events"


def append_event(
    session: Session,
    type_: str,
    at: datetime,
    *,
    case_id: int | None = None,
    prescription_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    seq = session.execute(
        update(FeedCounter)
        .where(FeedCounter.id == 1)
        .values(last_seq=FeedCounter.last_seq + 1)
        .returning(FeedCounter.last_seq)
    ).scalar_one()
    session.add(
        Event(seq=seq, type=type_, at=at, case_id=case_id, prescription_id=prescription_id, data=data or {})
    )
    session.info.setdefault(EVENT_SEQS_KEY, []).append(seq)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :seq)"), {"channel": NOTIFY_CHANNEL, "seq": str(seq)}
        )
    return int(seq)


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
