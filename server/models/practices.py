"""Which professionals a practice secretary works for (issue 17, item 16): she sees their patients,
nobody else's (migration 0015)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Table

from server.models.base import Base

secretary_of = Table(
    "secretary_of",
    Base.metadata,
    Column("secretary_user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("professional_user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)
