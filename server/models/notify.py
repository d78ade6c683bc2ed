"""Notification channels: one delivery record per message sent (or not) on a channel, the browsers'
Web Push subscriptions, and the planner's position in the change feed (server/notify/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime

CHANNELS = ("push", "sms", "email", "mssante")
STATUSES = ("queued", "sent", "failed", "abandoned", "suppressed")


class Delivery(Base):
    """One message on one channel to one recipient: queued, then sent, failed (retried), abandoned
    after too many attempts, or suppressed (never sent, with the reason said in French).

    `dedup_key` is unique: whoever queues the same key again gets the existing row, so a message
    is never queued twice. The row stays forever: it is the log a supervisor reads."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # push | sms | email | mssante
    purpose: Mapped[str] = mapped_column(String(40))  # offer, offer_taken, registration_phone_code, …
    # None for someone without an account yet (a registrant) or a médecin traitant not registered.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A phone (E.164), an e-mail address, or a push subscription's id.
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # Push: the JSON the service worker receives (title, body, url); never more than `text` says.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    # Why it was not sent, in French (« heures de silence », « canal désactivé », « abonnement expiré »).
    reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When a sender may take it next (a claim pushes it forward by a lease); None once final.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    # The prescription it is about, if any (« déjà prise » finds who was told of an offer).
    prescription_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        # The senders' queue: the due rows, oldest first.
        Index("ix_deliveries_due", "next_attempt_at"),
        # The supervisors' log, per person and newest first.
        Index("ix_deliveries_user_created", "user_id", "created_at"),
        Index("ix_deliveries_created", "created_at"),
        Index("ix_deliveries_prescription", "prescription_id", "purpose"),
    )


class PushSubscription(Base):
    """A browser's Web Push subscription (its endpoint at the vendor's push service and the keys
    of RFC 8291); `gone_at` is set when the push service answers 404 or 410."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    gone_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class NotifyCursor(Base):
    """The planner's position in the change feed: a single row (id 1), locked while planning."""

    __tablename__ = "notify_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class ServerSecret(Base):
    """A secret the server generated itself because the deployment's secret store gave none (the
    demo's or an embedded server's VAPID key): kept in the database beside the password hashes,
    never in a plain file. A key from the environment or `CREDENTIALS_DIRECTORY` always wins."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
