"""Append-only audit trail of patient data access and of refused requests.

The API offers no way to change it, and the database refuses UPDATE and DELETE on the table
(triggers created by the migrations; on PostgreSQL the server's runtime role may only INSERT and
SELECT it), so even a bug in the server cannot rewrite history. Each entry is chained to the one
before by a SHA-256 (server/security/audit_chain.py), so a change forced by hand is detected.
Entries leave the table only through an archive (`audit_anchors` keeps where the chain resumes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # No foreign keys: the trail must outlive users and patients.
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    client_agent: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SHA-256 (hex) of the previous entry's link, and of this entry's canonical form after it.
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """One archive of the trail's oldest entries: the chain resumes from `last_hash`."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    after_id: Mapped[int] = mapped_column(Integer)
    start_hash: Mapped[str] = mapped_column(String(64))
    through_id: Mapped[int] = mapped_column(Integer, unique=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    before: Mapped[datetime] = mapped_column(UtcDateTime())
    archived_at: Mapped[datetime] = mapped_column(UtcDateTime())
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
