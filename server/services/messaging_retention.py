"""The messaging retention (docs/messaging.md « Retention »): the platform's setting (one row, the
admin's) and the scheduler's job that archives a thread without a message for `retention_days`.
An archived thread is read-only and out of the default list; nothing is deleted (the audit keeps
everything; erasure is the platform's legal process, outside the application)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db import Database
from server.models import MessagingSettingsRow, Thread
from server.models.messaging import DEFAULT_RETENTION_DAYS, MESSAGING_SETTINGS_ID
from server.security.principal import Principal
from shared.schemas.messaging import MessagingSettingsIn, MessagingSettingsOut


def _row(session: Session, *, lock: bool) -> MessagingSettingsRow:
    query = select(MessagingSettingsRow).where(MessagingSettingsRow.id == MESSAGING_SETTINGS_ID)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:  # migration 0018 inserts it; a database made otherwise gets the default here
        row = MessagingSettingsRow(id=MESSAGING_SETTINGS_ID, retention_days=DEFAULT_RETENTION_DAYS)
        session.add(row)
        session.flush()
    return row


def current(session: Session) -> MessagingSettingsOut:
    return MessagingSettingsOut(retention_days=_row(session, lock=False).retention_days)


def replace(
    session: Session, body: MessagingSettingsIn, by: Principal, now: datetime
) -> MessagingSettingsOut:
    row = _row(session, lock=True)
    row.retention_days = body.retention_days
    row.updated_at = now
    row.updated_by = by.id
    session.flush()
    return MessagingSettingsOut(retention_days=row.retention_days)


def archive_due(db: Database, now: datetime) -> int:
    """Archives the threads whose last message is older than the retention; how many were."""
    with db.session() as session:
        days = _row(session, lock=False).retention_days
        cutoff = now - timedelta(days=days)
        result = session.execute(
            update(Thread)
            .where(Thread.archived_at.is_(None), Thread.last_message_at < cutoff)
            .values(archived_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
