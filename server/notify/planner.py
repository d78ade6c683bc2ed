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

Messages (issue 20) plug in through `notify_users(…, event="message")` at their emit point.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import Database
from server.errors import Invalid
from server.models import (
    Case,
    Delivery,
    Notification,
    NotifyCursor,
    Patient,
    Prescription,
    ProfessionalProfile,
    PushSubscription,
    User,
)
from server.notify import messages
from server.notify.messages import Content
from server.notify.outbound import queue_delivery, queue_email, queue_sms
from server.notify.preferences import CHANNEL_OFF, NO_ADDRESS, NO_DEVICE, decide
from server.services.feed import events_after

BATCH = 200
OFFER_EVENTS = ("prescription_sent", "prescription_pool_opened", "prescription_renewed")


class Recipient:
    """What the planner needs of one professional (loaded in bulk, columns only)."""

    def __init__(
        self,
        user_id: int,
        email: str | None,
        phone: str | None,
        channels: dict[str, Any] | None,
        windows: list[dict[str, Any]] | None,
        timezone: str | None,
        subscriptions: list[int],
    ) -> None:
        self.user_id = user_id
        self.email = email
        self.phone = phone
        self.channels: dict[str, Any] = dict(channels or {})
        self.windows: list[dict[str, Any]] = list(windows or [])
        self.timezone = timezone or "Europe/Paris"
        self.subscriptions = subscriptions


def load_recipients(session: Session, user_ids: list[int]) -> dict[int, Recipient]:
    if not user_ids:
        return {}
    subscriptions: dict[int, list[int]] = {}
    for sub_id, user_id in session.execute(
        select(PushSubscription.id, PushSubscription.user_id)
        .where(PushSubscription.user_id.in_(user_ids), PushSubscription.gone_at.is_(None))
        .order_by(PushSubscription.id)
    ):
        subscriptions.setdefault(user_id, []).append(sub_id)
    rows = session.execute(
        select(
            User.id,
            User.email,
            User.phone,
            ProfessionalProfile.phone,
            ProfessionalProfile.channels,
            ProfessionalProfile.notification_windows,
            ProfessionalProfile.timezone,
        )
        .outerjoin(ProfessionalProfile, ProfessionalProfile.user_id == User.id)
        .where(User.id.in_(user_ids), User.active.is_(True))
    )
    return {
        user_id: Recipient(
            user_id, email, profile_phone or user_phone, channels, windows, tz, subscriptions.get(user_id, [])
        )
        for user_id, email, user_phone, profile_phone, channels, windows, tz in rows
    }


def notify_users(
    session: Session,
    recipients: list[tuple[Recipient, Content]],
    *,
    event: str,
    key: str,
    now: datetime,
    public_url: str = "",
    prescription_id: int | None = None,
) -> int:
    """Queue `event` to each recipient on the channels their preferences and quiet hours allow;
    what is not sent is recorded `suppressed` with the reason. `key` identifies the occurrence
    (e.g. `offer:12:1`); returns how many deliveries were queued to be sent."""
    queued = 0
    for person, content in recipients:
        base = f"{key}:{person.user_id}"
        common: dict[str, Any] = {
            "purpose": event,
            "now": now,
            "user_id": person.user_id,
            "prescription_id": prescription_id,
        }
        sent_any = False
        for decision in decide(person.channels, person.windows, person.timezone, event, now):
            if not decision.send:
                if decision.reason != CHANNEL_OFF:
                    _suppress(session, decision.channel, base, content, decision.reason or "", common)
                continue
            if decision.channel == "push":
                if not person.subscriptions:
                    _suppress(session, "push", base, content, NO_DEVICE, common)
                for sub_id in person.subscriptions:
                    queue_delivery(
                        session,
                        channel="push",
                        recipient=str(sub_id),
                        text=content.text,  # the log never names the patient; the payload may
                        payload=content.push_payload(public_url),
                        dedup_key=f"{base}:push:{sub_id}",
                        **common,
                    )
                    queued, sent_any = queued + 1, True
                continue
            address = person.phone if decision.channel == "sms" else person.email
            if not address:
                _suppress(session, decision.channel, base, content, NO_ADDRESS, common)
                continue
            try:
                if decision.channel == "sms":
                    queue_sms(
                        session, to=address, text=content.text, dedup_key=f"{base}:sms", **_plain(common)
                    )
                else:
                    queue_email(
                        session,
                        to=address,
                        subject=content.subject,
                        text=content.email_text(public_url),
                        dedup_key=f"{base}:email",
                        **_plain(common),
                    )
                queued, sent_any = queued + 1, True
            except Invalid as refused:
                _suppress(session, decision.channel, base, content, refused.message[:200], common)
        if not sent_any and not session.scalar(
            select(Delivery.id).where(Delivery.dedup_key.like(f"{base}:%"))
        ):
            _suppress(session, "push", base, content, CHANNEL_OFF, common, suffix="none")
    return queued


def _plain(common: dict[str, Any]) -> dict[str, Any]:
    """queue_sms/queue_email take no prescription (their signature is the other engineers' API)."""
    return {k: v for k, v in common.items() if k != "prescription_id"}


def _suppress(
    session: Session,
    channel: str,
    base: str,
    content: Content,
    reason: str,
    common: dict[str, Any],
    suffix: str = "",
) -> None:
    queue_delivery(
        session,
        channel=channel,
        recipient="-",
        text=content.text,
        subject=content.subject,
        dedup_key=f"{base}:{suffix or channel}:suppressed",
        suppressed_because=reason,
        **common,
    )


def _offer(session: Session, prescription: Prescription, round_: int, now: datetime, public_url: str) -> int:
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
    )


def _accepted(
    session: Session,
    prescription: Prescription,
    data: dict[str, Any],
    round_: int,
    now: datetime,
    public_url: str,
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
        )
    return queued


def _expired(
    session: Session, prescription: Prescription, round_: int, now: datetime, public_url: str
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
    )


def _commented(
    session: Session, prescription: Prescription, data: dict[str, Any], now: datetime, public_url: str
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
    )


def plan_due(db: Database, now: datetime, public_url: str = "") -> int:
    """Plan the events after the cursor, `BATCH` at a time; returns how many deliveries were queued."""
    queued = 0
    while True:
        with db.session() as session:
            query = select(NotifyCursor).where(NotifyCursor.id == 1)
            if db.kind == "postgresql":
                query = query.with_for_update()
            cursor = session.scalar(query)
            if cursor is None:  # a database migrated before the cursor's row existed
                cursor = NotifyCursor(id=1, last_seq=0)
                session.add(cursor)
            events = events_after(session, cursor.last_seq, BATCH)
            for event in events:
                queued += _plan_event(
                    session, event.type, event.prescription_id, dict(event.data), now, public_url
                )
            if events:
                cursor.last_seq = events[-1].seq
        if len(events) < BATCH:
            return queued


def _plan_event(
    session: Session,
    kind: str,
    prescription_id: int | None,
    data: dict[str, Any],
    now: datetime,
    public_url: str,
) -> int:
    if prescription_id is None or not kind.startswith("prescription_"):
        return 0
    prescription = session.get(Prescription, prescription_id)
    if prescription is None:
        return 0
    round_ = int(data.get("round") or prescription.round)
    if kind in OFFER_EVENTS:
        return _offer(session, prescription, round_, now, public_url)
    if kind == "prescription_accepted":
        return _accepted(session, prescription, data, round_, now, public_url)
    if kind == "prescription_expired":
        return _expired(session, prescription, round_, now, public_url)
    if kind == "prescription_commented":
        return _commented(session, prescription, data, now, public_url)
    return 0
