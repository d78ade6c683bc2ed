"""Messaging (« Messagerie », issue 20): threads, their participants, messages, attachments and the
platform's retention setting. docs/messaging.md gives the rules; server/services/messaging_*.py
apply them.

A message is never updated nor deleted: the table refuses both (triggers of migration 0018).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime

MESSAGING_SETTINGS_ID = 1  # the single row of messaging_settings
DEFAULT_RETENTION_DAYS = 365
# Ids here are `Integer` columns: on PostgreSQL none lies above this, so a larger id names nothing and
# is never sent to the database (where it would be an out-of-range error, and a miss on SQLite).
ROW_ID_MAX = 2**31 - 1
CLIENT_KEY_MAX = 100  # an Idempotency-Key (server/services/idempotency_keys.py KEY_MAX)


class Thread(Base):
    """A conversation; `last_message_*` is kept by each post (the list's order and the retention)."""

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str | None] = mapped_column(String(120))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    prescription_id: Mapped[int | None] = mapped_column(ForeignKey("prescriptions.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_message_id: Mapped[int | None] = mapped_column(Integer)
    last_message_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ThreadParticipant(Base):
    """One person in one thread, with their read mark; `left_message_id` is the last message they
    may read after leaving (None: still in, or nothing was posted before they left)."""

    __tablename__ = "thread_participants"

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    left_message_id: Mapped[int | None] = mapped_column(Integer)
    last_read_message_id: Mapped[int | None] = mapped_column(Integer)

    # A caller's threads are found from their user id (the list, the unread counts).
    __table_args__ = (Index("ix_thread_participants_user_thread", "user_id", "thread_id"),)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The sender's `Idempotency-Key`: a retry after an unanswered post finds its message instead of
    # writing it twice (None: posted without a key).
    client_key: Mapped[str | None] = mapped_column(String(CLIENT_KEY_MAX))

    # Keyset paging and unread counts walk one thread's messages by id.
    __table_args__ = (
        Index("ix_messages_thread_id_id", "thread_id", "id"),
        UniqueConstraint("author_id", "client_key"),
    )


class MessageAttachment(Base):
    """An attachment's metadata; its bytes are in `message_attachment_blobs` (as documents are)."""

    __tablename__ = "message_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class MessageAttachmentBlob(Base):
    __tablename__ = "message_attachment_blobs"

    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("message_attachments.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class MessagingSettingsRow(Base):
    """The platform's messaging settings (one row)."""

    __tablename__ = "messaging_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_DAYS)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
