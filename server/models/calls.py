"""Call records sent by the desktops' softphones (shared/schemas/calls.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime


class CallRecord(Base):
    """One call of one operator; `id` is the desktop's UUID, so a record sent twice is one row."""

    __tablename__ = "call_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # None: a hotline call lost in the queue (no operator took it; server/services/hotline_routing.py).
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    remote_number: Mapped[str] = mapped_column(String(80), index=True)
    remote_raw: Mapped[str] = mapped_column(String(200), default="")
    remote_display_name: Mapped[str] = mapped_column(String(200), default="")
    local_number: Mapped[str] = mapped_column(String(80), default="")
    identification: Mapped[str | None] = mapped_column(String(12))
    identified: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(12))
    end_code: Mapped[int | None] = mapped_column(Integer)
    end_reason: Mapped[str] = mapped_column(String(200), default="")
    duration_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    case_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    sip_call_id: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    callback_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    callback_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    callback_note: Mapped[str] = mapped_column(String(500), default="")
    # The wrap-up's code (hotline settings' qualifications), and a lost call's wait in the queue.
    qualification: Mapped[str | None] = mapped_column(String(40))
    queue_wait_seconds: Mapped[float | None] = mapped_column(Float)

    # Supervisors' list of calls to return: missed ones, newest first.
    __table_args__ = (Index("ix_call_records_outcome_started", "outcome", "started_at"),)
