"""One event to many professionals: who gets it on which channel, written as one batch of rows.

`notify_users` decides per recipient and channel (preferences, quiet hours, a device, an
address) and adds each row — to send or `suppressed` with its reason — to a `Batch`; the batch is
written by one INSERT per event (server/notify/outbound.py `insert_deliveries`), not one per row.
A batch made with a lease (the planner's) writes the rows to send already claimed by this process
and returns them as messages, so they go out right after the commit without being read back; if
the process dies first, the lease ends and any sender takes them (nothing is lost).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Invalid
from server.models import ProfessionalProfile, PushSubscription, User
from server.notify.channels import Outgoing, PushTarget
from server.notify.messages import Content
from server.notify.outbound import (
    check_sms_text,
    checked_subject,
    delivery_values,
    email_recipient,
    insert_deliveries,
    sms_recipient,
)
from server.notify.preferences import CHANNEL_OFF, NO_ADDRESS, NO_DEVICE, decide


@dataclass
class Recipient:
    """What the planner needs of one professional (loaded in bulk, columns only)."""

    user_id: int
    email: str | None
    phone: str | None
    channels: dict[str, Any]
    windows: list[dict[str, Any]]
    timezone: str
    devices: list[PushTarget]

    @property
    def subscriptions(self) -> list[int]:
        return [device.subscription_id for device in self.devices]


def load_recipients(session: Session, user_ids: list[int]) -> dict[int, Recipient]:
    """The active users among `user_ids` with their preferences and live push subscriptions."""
    if not user_ids:
        return {}
    devices: dict[int, list[PushTarget]] = {}
    for sub_id, user_id, endpoint, p256dh, auth in session.execute(
        select(
            PushSubscription.id,
            PushSubscription.user_id,
            PushSubscription.endpoint,
            PushSubscription.p256dh,
            PushSubscription.auth,
        )
        .where(PushSubscription.user_id.in_(user_ids), PushSubscription.gone_at.is_(None))
        .order_by(PushSubscription.id)
    ):
        devices.setdefault(user_id, []).append(PushTarget(sub_id, endpoint, p256dh, auth))
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
            user_id,
            email,
            profile_phone or user_phone,
            dict(channels or {}),
            list(windows or []),
            tz or "Europe/Paris",
            devices.get(user_id, []),
        )
        for user_id, email, user_phone, profile_phone, channels, windows, tz in rows
    }


@dataclass
class Batch:
    """Rows waiting for their INSERT; `lease_until` set: the rows to send are claimed by the writer."""

    now: datetime
    lease_until: datetime | None = None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # by dedup_key: first one wins
    devices: dict[str, PushTarget] = field(default_factory=dict)

    def add(self, values: dict[str, Any], device: PushTarget | None = None) -> None:
        key = values["dedup_key"]
        if key not in self.rows:
            self.rows[key] = values
            if device is not None:
                self.devices[key] = device

    def write(self, session: Session) -> list[Outgoing]:
        """The one INSERT; the messages this writer must send (leased rows inserted now)."""
        rows, self.rows = list(self.rows.values()), {}
        devices, self.devices = self.devices, {}
        inserted = insert_deliveries(session, rows)
        if self.lease_until is None:
            return []
        return [
            Outgoing(
                delivery_id=inserted[row["dedup_key"]],
                channel=row["channel"],
                recipient=row["recipient"],
                text=row["text"],
                subject=row["subject"],
                payload=row["payload"],
                purpose=row["purpose"],
                push=devices.get(row["dedup_key"]),
            )
            for row in rows
            if row["status"] == "queued" and row["dedup_key"] in inserted
        ]


def notify_users(
    session: Session,
    recipients: list[tuple[Recipient, Content]],
    *,
    event: str,
    key: str,
    now: datetime,
    public_url: str = "",
    prescription_id: int | None = None,
    batch: Batch | None = None,
) -> int:
    """Queue `event` to each recipient on the channels their preferences and quiet hours allow;
    what is not sent is recorded `suppressed` with the reason. `key` identifies the occurrence
    (e.g. `offer:12:1`). Without `batch` the rows are written at once (queued for the senders);
    with one, they wait for `batch.write`. Returns how many deliveries are to be sent."""
    own = batch is None
    target = Batch(now) if batch is None else batch
    lease = target.lease_until
    queued = 0
    for person, content in recipients:
        base = f"{key}:{person.user_id}"
        common: dict[str, Any] = {
            "purpose": event,
            "now": now,
            "user_id": person.user_id,
            "prescription_id": prescription_id,
        }
        planned = False
        for decision in decide(person.channels, person.windows, person.timezone, event, now):
            if not decision.send:
                if decision.reason != CHANNEL_OFF:
                    target.add(_suppressed(base, content, common, decision.channel, decision.reason or ""))
                    planned = True
                continue
            planned = True
            if decision.channel == "push":
                if not person.devices:
                    target.add(_suppressed(base, content, common, "push", NO_DEVICE))
                payload = content.push_payload(public_url)
                for device in person.devices:
                    values = delivery_values(
                        channel="push",
                        recipient=str(device.subscription_id),
                        text=content.text,  # the log never names the patient; the payload may
                        payload=payload,
                        dedup_key=f"{base}:push:{device.subscription_id}",
                        lease_until=lease,
                        **common,
                    )
                    target.add(values, device)
                    queued += 1
                continue
            address = person.phone if decision.channel == "sms" else person.email
            if not address:
                target.add(_suppressed(base, content, common, decision.channel, NO_ADDRESS))
                continue
            try:
                if decision.channel == "sms":
                    check_sms_text(content.text)
                    values = delivery_values(
                        channel="sms",
                        recipient=sms_recipient(address),
                        text=content.text,
                        dedup_key=f"{base}:sms",
                        lease_until=lease,
                        **common,
                    )
                else:
                    text = content.email_text(public_url)
                    values = delivery_values(
                        channel="email",
                        recipient=email_recipient(address),
                        subject=checked_subject(content.subject, text),
                        text=text,
                        dedup_key=f"{base}:email",
                        lease_until=lease,
                        **common,
                    )
            except Invalid as refused:
                target.add(_suppressed(base, content, common, decision.channel, refused.message[:200]))
                continue
            target.add(values)
            queued += 1
        if not planned:  # every channel off for this event: said once
            target.add(_suppressed(base, content, common, "push", CHANNEL_OFF, "none"))
    if own:
        target.write(session)
    return queued


def _suppressed(
    base: str, content: Content, common: dict[str, Any], channel: str, reason: str, suffix: str = ""
) -> dict[str, Any]:
    return delivery_values(
        channel=channel,
        recipient="-",
        text=content.text,
        subject=content.subject,
        dedup_key=f"{base}:{suffix or channel}:suppressed",
        suppressed_because=reason,
        **common,
    )
