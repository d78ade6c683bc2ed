"""The login limits' counters (server/security/login_limits.py): one row per account × source, per
source, per account and for the whole platform. Counted in place (an upsert per attempt), so a
flood grows numbers, never rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime


class LoginCounter(Base):
    """`scope`: `pair` (username × source: the seeds' 4 tries then 30 s, doubling), `source`,
    `account` or `all` (fixed windows); the key columns a scope does not use hold ''."""

    __tablename__ = "login_counters"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    # pair: attempts since the last success or block; windows: attempts in the current window.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Attempts refused without a password check, since the last audit entry that reported them.
    refused: Mapped[int] = mapped_column(Integer, default=0)
    blocks: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    window_start: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # pair only: the last successful login from this source (a « known » workstation).
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
