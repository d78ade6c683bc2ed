"""The answers of the INSi teleservice, kept so that a patient's « récupérée » cites a real one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime


class InsiAnswer(Base):
    """One identity returned by the teleservice (server/insi/), as returned; never edited."""

    __tablename__ = "insi_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    nir: Mapped[str] = mapped_column(String(15), index=True)
    ins_oid: Mapped[str] = mapped_column(String(32))
    birth_last_name: Mapped[str] = mapped_column(String(100))
    birth_first_names: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    birth_place_insee: Mapped[str] = mapped_column(String(5))
    asked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())
