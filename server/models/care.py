"""The acceptor's care loop: the visits done (« passages ») and the reports written (« CR »)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime


class _CareEntry:
    """Who wrote what on which prescription, and when (for a visit: when it took place)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    prescription_id: Mapped[int] = mapped_column(
        ForeignKey("prescriptions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class CareVisit(_CareEntry, Base):
    __tablename__ = "care_visits"

    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CareReport(_CareEntry, Base):
    __tablename__ = "care_reports"

    text: Mapped[str] = mapped_column(Text)
