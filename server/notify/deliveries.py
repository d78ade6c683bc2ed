"""Sending the queued deliveries: claimed under a lease, sent concurrently, outcome recorded.

A batch of due rows is claimed by pushing their `next_attempt_at` forward by a lease in one short
transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer), so two threads or two
server processes never send the same row; the messages are then sent outside any transaction on
a bounded thread pool (one offer to 100 browsers goes out at once, not one after the other), and
the outcomes written in one transaction. A failure is retried with exponential back-off (10 s,
20 s, 40 s…) up to `MAX_ATTEMPTS`, then `abandoned`; the row always stays.

At least once, and once as far as a network allows: a row is sent only by the holder of its lease
and marked `sent` right after; a process dying between the provider's answer and that write, or an
answer lost on the way back (a provider that took the message, then a reset connection), makes it
go out again. A push then carries the same `tag` (server/notify/push.py), so the browser replaces
the notification it showed rather than showing it twice.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from server.db import Database
from server.models import Delivery, PushSubscription
from server.notify.channels import ChannelSender, Outgoing, PushTarget, RecipientGone, SendFailed

log = logging.getLogger("centrale.deliveries")
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 10
LEASE = timedelta(seconds=60)
BATCH = 200

GONE = "abonnement push expiré (le navigateur s'est désabonné)"
REFUSED = "refusé par le fournisseur"


@dataclass
class Senders:
    """One sender per channel, chosen once from the settings (server/notify/wiring.py)."""

    by_channel: dict[str, ChannelSender]
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(32, "centrale-send"))


@dataclass(frozen=True)
class _Outcome:
    delivery_id: int
    provider_id: str | None = None
    error: str | None = None
    permanent: bool = False
    gone: bool = False
    subscription_id: int | None = None


def _claim(db: Database, now: datetime) -> tuple[list[Outgoing], int]:
    """The messages to send now, and how many rows were taken (some may be suppressed at once)."""
    with db.session() as session:
        query = (
            select(Delivery)
            .where(Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(BATCH)
        )
        if db.kind == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(session.scalars(query))
        if not rows:
            return [], 0
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_([row.id for row in rows]))
            .values(next_attempt_at=now + LEASE)
        )
        push_ids = [int(row.recipient) for row in rows if row.channel == "push" and row.recipient.isdigit()]
        subscriptions = (
            {
                s.id: s
                for s in session.scalars(select(PushSubscription).where(PushSubscription.id.in_(push_ids)))
            }
            if push_ids
            else {}
        )
        claimed = []
        for row in rows:
            target = None
            if row.channel == "push":
                sub = subscriptions.get(int(row.recipient)) if row.recipient.isdigit() else None
                if sub is None or sub.gone_at is not None:
                    row.status, row.reason, row.next_attempt_at = "suppressed", GONE, None
                    continue
                target = PushTarget(sub.id, sub.endpoint, sub.p256dh, sub.auth)
            claimed.append(
                Outgoing(
                    delivery_id=row.id,
                    channel=row.channel,
                    recipient=row.recipient,
                    text=row.text,
                    subject=row.subject,
                    payload=dict(row.payload) if row.payload is not None else None,
                    purpose=row.purpose,
                    push=target,
                )
            )
        return claimed, len(rows)


def _attempt(senders: Senders, message: Outgoing) -> _Outcome:
    sender = senders.by_channel.get(message.channel)
    subscription = message.push.subscription_id if message.push else None
    if sender is None:
        return _Outcome(message.delivery_id, error=f"canal {message.channel} non configuré", permanent=True)
    try:
        provider_id = sender.send(message)
    except RecipientGone as exc:
        return _Outcome(message.delivery_id, error=str(exc), gone=True, subscription_id=subscription)
    except SendFailed as exc:
        return _Outcome(message.delivery_id, error=str(exc), permanent=exc.permanent)
    except Exception as exc:  # a sender's bug must not stop the others: retried, logged
        log.exception("delivery %s: unexpected error", message.delivery_id)
        return _Outcome(message.delivery_id, error=f"{type(exc).__name__}: {exc}")
    return _Outcome(message.delivery_id, provider_id=provider_id, subscription_id=subscription)


_SENT = (
    update(Delivery)
    .where(Delivery.id == bindparam("sent_id"))
    .values(
        status="sent",
        attempts=Delivery.attempts + 1,
        sent_at=bindparam("when_sent"),
        next_attempt_at=None,
        last_error=None,
        provider_message_id=bindparam("provider_id"),
    )
)


def _record(db: Database, outcomes: list[_Outcome], now: datetime) -> None:
    """The outcomes in one transaction: the sent rows by one statement run for many rows (an offer
    to 100 browsers is one round trip, not 100 ORM updates); a failure by its row."""
    sent = [o for o in outcomes if o.error is None]
    failed = {o.delivery_id: o for o in outcomes if o.error is not None}
    succeeded = [o.subscription_id for o in sent if o.subscription_id is not None]
    gone: list[int] = []
    with db.session() as session:
        if sent:
            session.connection().execute(
                _SENT,
                [
                    {
                        "sent_id": o.delivery_id,
                        "when_sent": now,
                        "provider_id": (o.provider_id or "")[:200] or None,
                    }
                    for o in sent
                ],
            )
        rows: list[Delivery] = (
            list(session.scalars(select(Delivery).where(Delivery.id.in_(list(failed))))) if failed else []
        )
        for row in rows:
            outcome = failed[row.id]
            row.attempts += 1
            row.last_error = (outcome.error or "")[:500]
            if outcome.gone:
                row.status, row.reason, row.next_attempt_at = "abandoned", GONE, None
                if outcome.subscription_id is not None:
                    gone.append(outcome.subscription_id)
            elif outcome.permanent:
                row.status, row.reason, row.next_attempt_at = "abandoned", REFUSED, None
            elif row.attempts >= MAX_ATTEMPTS:
                row.status, row.next_attempt_at = "abandoned", None
                row.reason = f"abandonné après {row.attempts} essais"
                log.warning("delivery %s abandoned after %s attempts", row.id, row.attempts)
            else:
                row.status = "failed"
                row.next_attempt_at = now + timedelta(seconds=FIRST_RETRY_SECONDS * 2 ** (row.attempts - 1))
        if succeeded:
            session.execute(
                update(PushSubscription).where(PushSubscription.id.in_(succeeded)).values(last_success_at=now)
            )
        if gone:
            session.execute(
                update(PushSubscription)
                .where(PushSubscription.id.in_(gone), PushSubscription.gone_at.is_(None))
                .values(gone_at=now)
            )


def send_claimed(db: Database, senders: Senders, claimed: list[Outgoing], now: datetime) -> int:
    """Send messages whose rows this process holds the lease of, at once on the pool (one offer to
    100 browsers: every message encrypted and posted concurrently), then record the outcomes."""
    if not claimed:
        return 0
    outcomes = list(senders.pool.map(lambda message: _attempt(senders, message), claimed))
    _record(db, outcomes, now)
    return len(outcomes)


def deliver_due(db: Database, senders: Senders, now: datetime) -> int:
    """Send every delivery due at `now`; returns how many were attempted."""
    attempted = 0
    while True:
        claimed, taken = _claim(db, now)
        attempted += send_claimed(db, senders, claimed, now)
        if taken < BATCH:
            return attempted
