"""Webhook deliveries: queued with the offer, sent after commit, retried with exponential back-off.

A delivery is claimed by pushing its `next_attempt_at` forward by a lease in a short transaction,
then sent outside any transaction, then its outcome recorded; so no lock is held during the HTTP
call (SQLite has a single writer) and two server processes never send the same delivery at once.
The payload never carries the patient's identity: the responder fetches the offer through the API,
where the anonymity rule applies. Each send is signed with the responder's secret and goes only to an
address the policy allows, checked after resolution (webhook_sender.py, webhook_policy.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import JSON, insert, literal, select
from sqlalchemy.orm import Session

from server.db import Database
from server.models import Notification, ProfessionalProfile, WebhookDelivery
from server.models.base import UtcDateTime
from server.notify.webhook_policy import WebhookRefused
from server.notify.webhook_sender import Outgoing, Sender, http_sender

__all__ = ["MAX_ATTEMPTS", "Sender", "deliver_due", "http_sender", "queue_round_offers"]

log = logging.getLogger("centrale.webhooks")
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 10
LEASE = timedelta(seconds=60)
BATCH = 20


def queue_round_offers(
    session: Session, prescription_id: int, round_: int, notified_at: datetime, payload: dict[str, Any]
) -> int:
    """Queue one delivery per responder notified of this round at `notified_at` who has a webhook.

    One INSERT … SELECT over the notifications just written: a round is often hundreds of
    responders, and most have no webhook, so nothing travels through Python. Returns how many.
    """
    notified = (
        select(
            Notification.user_id,
            ProfessionalProfile.webhook_url,
            literal(payload, JSON()),
            literal(0),
            literal(notified_at, UtcDateTime()),
        )
        .join(ProfessionalProfile, ProfessionalProfile.user_id == Notification.user_id)
        .where(
            Notification.prescription_id == prescription_id,
            Notification.round == round_,
            Notification.notified_at == notified_at,
            ProfessionalProfile.webhook_url.is_not(None),
        )
    )
    # preserve_rowcount: SQLAlchemy only keeps the count of an UPDATE or DELETE otherwise.
    columns = ["user_id", "url", "payload", "attempts", "next_attempt_at"]
    statement = (
        insert(WebhookDelivery).from_select(columns, notified).execution_options(preserve_rowcount=True)
    )
    result = session.connection().execute(statement)
    return result.rowcount


def _claim(db: Database, now: datetime) -> list[Outgoing]:
    with db.session() as session:
        query = (
            select(WebhookDelivery)
            .where(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(BATCH)
        )
        if db.kind == "postgresql":
            query = query.with_for_update(skip_locked=True)
        deliveries = list(session.scalars(query))
        for delivery in deliveries:
            delivery.next_attempt_at = now + LEASE
        # The key is read at send time: a rotated secret signs the deliveries still queued.
        users = {d.user_id for d in deliveries}
        keys: dict[int, str | None] = {}
        if users:
            found = select(ProfessionalProfile.user_id, ProfessionalProfile.webhook_secret).where(
                ProfessionalProfile.user_id.in_(users)
            )
            keys = {user_id: secret for user_id, secret in session.execute(found).tuples().all()}
        return [Outgoing(d.id, d.url, dict(d.payload), keys.get(d.user_id)) for d in deliveries]


def _record(db: Database, delivery_id: int, now: datetime, error: str | None) -> None:
    with db.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        if error is None:
            delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = now, None, None
            return
        delivery.last_error = error[:500]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.next_attempt_at = None  # abandoned; the record stays for support staff
            log.warning("webhook %s abandoned after %s attempts: %s", delivery.url, delivery.attempts, error)
        else:
            delivery.next_attempt_at = now + timedelta(
                seconds=FIRST_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
            )


def deliver_due(db: Database, now: datetime, send: Sender) -> int:
    """Send every delivery due at `now`; returns how many were attempted."""
    attempted = 0
    while claimed := _claim(db, now):
        for delivery in claimed:
            try:
                send(delivery, now)
                error = None
            except (httpx.HTTPError, OSError, WebhookRefused) as exc:
                error = f"{type(exc).__name__}: {exc}"
            _record(db, delivery.id, now, error)
            attempted += 1
        if len(claimed) < BATCH:
            break
    return attempted
