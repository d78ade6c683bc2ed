"""The planner: reads the change feed after commit, with its own cursor, and queues the deliveries.

Why the feed and not hooks in the services: every change the professionals hear of is already a
typed, numbered event written in the same transaction as the change (server/services/feed.py),
so the planner sees exactly what committed (never a rolled-back offer), adds no work to the
request that made the change, and needs nothing from the services that others evolve. The cursor
row (`notify_cursor`) is locked for the planning transaction (PostgreSQL `FOR UPDATE`; SQLite has
one writer), so two threads or processes never plan the same event; each delivery's `dedup_key`
(event's prescription, round or comment, user, channel, subscription) makes a second planning a
no-op all the same. It is woken right after each commit that appended events (in-process), and
runs on every scheduler tick (the other processes' commits).

| event | who | purpose |
|---|---|---|
| prescription_sent, _pool_opened, _renewed | each notified professional still without an answer | offer |
| prescription_accepted | those told of the offer on a channel, but the acceptor | offer_taken |
| prescription_accepted | the requester (a professional's account), unless the acceptor | request_accepted |
| prescription_expired | the requester | request_expired |
| prescription_commented | the acceptor, unless they wrote it | patient_comment |
| message_posted | the thread's other participants (server/services/messaging_notices.py) | message |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import Database
from server.models import Case, Delivery, Notification, NotifyCursor, Patient, Prescription
from server.notify import messages
from server.notify.channels import Outgoing
from server.notify.fanout import Batch, Recipient, load_recipients, notify_users
from server.services import messaging_notices
from server.services.feed import events_after
from shared.schemas.feed_types import EventType

BATCH = 200
LEASE = timedelta(seconds=60)  # as server/notify/deliveries.py: a row claimed at planning
OFFER_EVENTS = ("prescription_sent", "prescription_pool_opened", "prescription_renewed")


def _offer(
    session: Session, prescription: Prescription, round_: int, now: datetime, public_url: str, batch: Batch
) -> int:
    if prescription.state != "pending":
        return 0  # taken or closed before its offer was planned: nothing to announce
    told = list(
        session.execute(
            select(Notification.user_id, Notification.usual).where(
                Notification.prescription_id == prescription.id,
                Notification.round == round_,
                Notification.answer.is_(None),
            )
        )
    )
    people = load_recipients(session, [user_id for user_id, _ in told])
    patient = session.scalar(
        select(Patient).join(Case, Case.patient_id == Patient.id).where(Case.id == prescription.case_id)
    )
    commune = patient.city if patient is not None else "commune inconnue"
    recipients = []
    for user_id, usual in told:
        person = people.get(user_id)
        if person is None:
            continue
        name = f"{patient.first_name} {patient.last_name.upper()}" if usual and patient is not None else None
        content = messages.offer(
            prescription_id=prescription.id,
            profession_code=prescription.profession_code,
            care_type=prescription.care_type,
            commune=commune,
            deadline_at=prescription.deadline_at,
            now=now,
            tz_name=person.timezone,
            patient_name=name,
        )
        recipients.append((person, content))
    key = f"offer:{prescription.id}:{round_}"
    return notify_users(
        session,
        recipients,
        event="offer",
        key=key,
        now=now,
        public_url=public_url,
        prescription_id=prescription.id,
        batch=batch,
    )


def _accepted(
    session: Session,
    prescription: Prescription,
    data: dict[str, Any],
    round_: int,
    now: datetime,
    public_url: str,
    batch: Batch,
) -> int:
    acceptor = int(data.get("accepted_by") or 0)
    told = session.scalars(
        select(Delivery.user_id)
        .where(
            Delivery.prescription_id == prescription.id,
            Delivery.purpose == "offer",
            Delivery.status.in_(("queued", "sent", "failed")),
            Delivery.user_id != acceptor,
        )
        .distinct()
    )
    patient = session.scalar(
        select(Patient).join(Case, Case.patient_id == Patient.id).where(Case.id == prescription.case_id)
    )
    commune = patient.city if patient is not None else ""
    others = load_recipients(session, [u for u in told if u is not None])
    content = messages.offer_taken(
        prescription_id=prescription.id, care_type=prescription.care_type, commune=commune
    )
    queued = notify_users(
        session,
        [(p, content) for p in others.values()],
        event="offer_taken",
        key=f"taken:{prescription.id}:{round_}",
        now=now,
        public_url=public_url,
        prescription_id=prescription.id,
        batch=batch,
    )
    requester = session.scalar(select(Case.requester_user_id).where(Case.id == prescription.case_id))
    if requester is not None and requester != acceptor:
        people = load_recipients(session, [requester])
        name = str(data.get("accepted_by_name") or "un confrère")
        accepted = messages.request_accepted(
            prescription_id=prescription.id, care_type=prescription.care_type, acceptor=name
        )
        queued += notify_users(
            session,
            [(p, accepted) for p in people.values()],
            event="request_accepted",
            key=f"accepted:{prescription.id}:{round_}",
            now=now,
            public_url=public_url,
            prescription_id=prescription.id,
            batch=batch,
        )
    return queued


def _expired(
    session: Session, prescription: Prescription, round_: int, now: datetime, public_url: str, batch: Batch
) -> int:
    requester = session.scalar(select(Case.requester_user_id).where(Case.id == prescription.case_id))
    if requester is None:
        return 0
    content = messages.request_expired(prescription_id=prescription.id, care_type=prescription.care_type)
    people = load_recipients(session, [requester])
    return notify_users(
        session,
        [(p, content) for p in people.values()],
        event="request_expired",
        key=f"expired:{prescription.id}:{round_}",
        now=now,
        public_url=public_url,
        prescription_id=prescription.id,
        batch=batch,
    )


def _commented(
    session: Session,
    prescription: Prescription,
    data: dict[str, Any],
    now: datetime,
    public_url: str,
    batch: Batch,
) -> int:
    author = int(data.get("user_id") or 0)
    if prescription.accepted_by is None or prescription.accepted_by == author:
        return 0
    content = messages.patient_comment(prescription_id=prescription.id, care_type=prescription.care_type)
    people = load_recipients(session, [prescription.accepted_by])
    return notify_users(
        session,
        [(p, content) for p in people.values()],
        event="patient_comment",
        key=f"comment:{data.get('comment_id')}",
        now=now,
        public_url=public_url,
        prescription_id=prescription.id,
        batch=batch,
    )


def plan_due(
    db: Database, now: datetime, public_url: str = "", send: Callable[[list[Outgoing]], object] | None = None
) -> int:
    """Plan the events after the cursor, `BATCH` at a time; returns how many deliveries were queued.

    With `send`, the rows to send are written already claimed by this process (a lease) and handed
    to `send` right after each planning transaction commits — no second read, no wait for a
    sender's next claim; without it they are queued for the senders (woken by the commit)."""
    queued = 0
    while True:
        claimed: list[Outgoing] = []
        with db.session() as session:
            query = select(NotifyCursor).where(NotifyCursor.id == 1)
            if db.kind == "postgresql":
                query = query.with_for_update()
            cursor = session.scalar(query)
            if cursor is None:  # a database migrated before the cursor's row existed
                cursor = NotifyCursor(id=1, last_seq=0)
                session.add(cursor)
            events = events_after(session, cursor.last_seq, BATCH)
            batch = Batch(now, now + LEASE if send is not None else None)
            for event in events:
                queued += _plan_event(
                    session, event.type, event.prescription_id, dict(event.data), now, public_url, batch
                )
                claimed += batch.write(session)  # one INSERT per event (the next may read them)
            if events:
                cursor.last_seq = events[-1].seq
        if claimed and send is not None:
            send(claimed)
        if len(events) < BATCH:
            return queued


def _plan_event(
    session: Session,
    kind: str,
    prescription_id: int | None,
    data: dict[str, Any],
    now: datetime,
    public_url: str,
    batch: Batch,
) -> int:
    if kind == EventType.MESSAGE_POSTED.value:  # issue 20: the thread's other participants
        return messaging_notices.plan(session, data, now, public_url, batch)
    if prescription_id is None or not kind.startswith("prescription_"):
        return 0
    prescription = session.get(Prescription, prescription_id)
    if prescription is None:
        return 0
    round_ = int(data.get("round") or prescription.round)
    if kind in OFFER_EVENTS:
        return _offer(session, prescription, round_, now, public_url, batch)
    if kind == "prescription_accepted":
        return _accepted(session, prescription, data, round_, now, public_url, batch)
    if kind == "prescription_expired":
        return _expired(session, prescription, round_, now, public_url, batch)
    if kind == "prescription_commented":
        return _commented(session, prescription, data, now, public_url, batch)
    return 0


__all__ = ["Recipient", "load_recipients", "notify_users", "plan_due"]
