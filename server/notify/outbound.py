"""Queueing a message on a channel: one `deliveries` row, written in the caller's transaction.

The row is sent after the caller commits (the senders are woken by the commit itself: see
`Database.on_deliveries_queued`), retried with back-off by `server/notify/deliveries.py`, and
never queued twice: `dedup_key` is unique, and queueing a key again returns the existing row's id
without changing it. Enrolment (codes, links), the médecin-traitant mails and the notification
planner all come through here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.db import DELIVERIES_QUEUED_KEY
from server.errors import Invalid
from server.models import Delivery
from server.models.notify import CHANNELS
from shared.validation.errors import ValidationFailure
from shared.validation.phones import normalize_phone

# Four SMS segments of GSM characters; longer texts are refused (they belong in an e-mail).
SMS_MAX_CHARS = 612
EMAIL_MAX_CHARS = 20_000
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")

Channel = Literal["push", "sms", "email", "mssante"]


def sms_recipient(to: str) -> str:
    """A phone in any French notation or E.164, as E.164; not one: 422 in French."""
    try:
        return normalize_phone(to)
    except ValidationFailure as failure:
        raise Invalid("sms_recipient_invalid", f"Numéro du SMS : {failure.message}") from failure


def check_sms_text(text: str) -> None:
    _check_text(text, SMS_MAX_CHARS, "sms_text_invalid", "Le texte du SMS")


def email_recipient(to: str) -> str:
    address = to.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise Invalid("email_recipient_invalid", "Adresse e-mail du destinataire invalide.")
    return address


def checked_subject(subject: str, text: str) -> str:
    """The subject on one line (and the text checked): what an e-mail may carry."""
    subject = subject.strip()
    if not subject or len(subject) > 200 or "\n" in subject or "\r" in subject:
        raise Invalid(
            "email_subject_invalid", "L'objet de l'e-mail doit tenir sur une ligne (200 caractères)."
        )
    _check_text(text, EMAIL_MAX_CHARS, "email_text_invalid", "Le texte de l'e-mail")
    return subject


def queue_sms(
    session: Session,
    *,
    to: str,
    text: str,
    purpose: str,
    dedup_key: str,
    now: datetime,
    user_id: int | None = None,
) -> int:
    """Queue an SMS to `to` (any French notation or E.164); returns the delivery's id (the
    existing one when `dedup_key` was queued before). A number that is not one: 422 in French."""
    phone = sms_recipient(to)
    check_sms_text(text)
    return queue_delivery(
        session,
        channel="sms",
        recipient=phone,
        text=text,
        purpose=purpose,
        dedup_key=dedup_key,
        now=now,
        user_id=user_id,
    )


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    purpose: str,
    dedup_key: str,
    now: datetime,
    user_id: int | None = None,
    relay: Literal["smtp", "mssante"] = "smtp",
) -> int:
    """Queue an e-mail; `relay="mssante"` sends it through the MSSanté operator's relay (client
    certificate) instead of the ordinary SMTP server. Returns the delivery's id."""
    address = email_recipient(to)
    subject = checked_subject(subject, text)
    return queue_delivery(
        session,
        channel="mssante" if relay == "mssante" else "email",
        recipient=address,
        subject=subject,
        text=text,
        purpose=purpose,
        dedup_key=dedup_key,
        now=now,
        user_id=user_id,
    )


def delivery_values(
    *,
    channel: Channel | str,
    recipient: str,
    text: str,
    purpose: str,
    dedup_key: str,
    now: datetime,
    user_id: int | None = None,
    subject: str | None = None,
    payload: dict[str, Any] | None = None,
    suppressed_because: str | None = None,
    prescription_id: int | None = None,
    lease_until: datetime | None = None,
) -> dict[str, Any]:
    """One row of `deliveries`, checked. `lease_until`: the row is claimed by its writer, who
    sends it right after commit (the planner); another sender may take it once the lease ends."""
    if not dedup_key or len(dedup_key) > 200:
        raise ValueError("dedup_key must be 1 to 200 characters")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return {
        "channel": channel,
        "purpose": purpose[:40],
        "user_id": user_id,
        "recipient": recipient[:320],
        "subject": subject,
        "text": text,
        "payload": payload,
        "dedup_key": dedup_key,
        "status": "suppressed" if suppressed_because else "queued",
        "reason": suppressed_because,
        "attempts": 0,
        "next_attempt_at": None if suppressed_because else (lease_until or now),
        "created_at": now,
        "prescription_id": prescription_id,
    }


def insert_deliveries(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert rows of `delivery_values` in one multi-row statement (ON CONFLICT DO NOTHING on
    `dedup_key`): the ids of the rows inserted now, by `dedup_key` (a known key is left out).
    Rows queued without a lease wake the senders after commit."""
    inserted: dict[str, int] = {}
    if not rows:
        return inserted
    dialect = session.get_bind().dialect.name
    # One cached statement, executed with many rows: SQLAlchemy's « insertmanyvalues » sends it as
    # multi-row INSERTs (a literal multi-row VALUES would be compiled anew for every batch).
    statement = (
        (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Delivery)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(Delivery.id, Delivery.dedup_key)
    )
    session.flush()  # what session.execute would do first (rows this one refers to)
    for delivery_id, key in session.connection().execute(statement, rows):
        inserted[key] = delivery_id
    if any(
        row["status"] == "queued"
        and row["next_attempt_at"] == row["created_at"]
        and row["dedup_key"] in inserted
        for row in rows
    ):
        session.info[DELIVERIES_QUEUED_KEY] = True
    return inserted


def queue_delivery(
    session: Session,
    *,
    channel: Channel | str,
    recipient: str,
    text: str,
    purpose: str,
    dedup_key: str,
    now: datetime,
    user_id: int | None = None,
    subject: str | None = None,
    payload: dict[str, Any] | None = None,
    suppressed_because: str | None = None,
    prescription_id: int | None = None,
) -> int:
    """The one INSERT of a delivery, ignored when `dedup_key` exists (both databases' ON CONFLICT
    DO NOTHING, so two transactions racing on the same key never fail). `suppressed_because`
    records a message that is not sent, and why (« heures de silence », « canal désactivé »)."""
    values = delivery_values(
        channel=channel,
        recipient=recipient,
        text=text,
        purpose=purpose,
        dedup_key=dedup_key,
        now=now,
        user_id=user_id,
        subject=subject,
        payload=payload,
        suppressed_because=suppressed_because,
        prescription_id=prescription_id,
    )
    inserted = insert_deliveries(session, [values])
    if dedup_key in inserted:
        return inserted[dedup_key]
    existing = session.scalar(select(Delivery.id).where(Delivery.dedup_key == dedup_key))
    assert existing is not None
    return existing


def _check_text(text: str, limit: int, code: str, label: str) -> None:
    if not text.strip():
        raise Invalid(code, f"{label} est vide.")
    if len(text) > limit:
        raise Invalid(code, f"{label} dépasse {limit} caractères.")


__all__ = [
    "Channel",
    "delivery_values",
    "insert_deliveries",
    "queue_delivery",
    "queue_email",
    "queue_sms",
]
