"""Cases (« fiches »), their prescriptions (« déclenchements ») and who was notified of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UtcDateTime

# Public case numbers start here, so they have eight digits like the platform's (#22428699).
CASE_NUMBER_BASE = 30_000_000


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    # Who phoned (« Appelant ») and on whose behalf (« Demandeur »), as given at sending time.
    caller: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requester: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The requester's account here, if any (« Mes Déclenchements » of a professional).
    requester_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

    prescriptions: Mapped[list[Prescription]] = relationship(
        back_populates="case", lazy="selectin", order_by="Prescription.id"
    )


class Prescription(Base):
    __tablename__ = "prescriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    profession_code: Mapped[str] = mapped_column(String(2), index=True)
    care_type: Mapped[str] = mapped_column(String(100))
    care_mode: Mapped[str] = mapped_column(String(12))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"), index=True)
    intervention_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    intervention_tz: Mapped[str | None] = mapped_column(String(40))
    intervention_delay_minutes: Mapped[int | None] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer, default=1)
    visits_per_day: Mapped[int] = mapped_column(Integer, default=1)
    response_delay_minutes: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), index=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    deadline_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # End of the usual professionals' exclusive window; None when the pool was notified at once.
    priority_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    pool_opened: Mapped[bool] = mapped_column(Boolean, default=False)
    # The next instant a timer must look at this row (priority end or deadline); None when final.
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    notified_count: Mapped[int] = mapped_column(Integer, default=0)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    report: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # « Fin série de soins » by the acceptor: the file moves to their « Mes archives ».
    series_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    case: Mapped[Case] = relationship(back_populates="prescriptions")


class Notification(Base):
    """One responder told of one round of a prescription, and what they answered.

    Keyed by (prescription, round, responder), without foreign keys, and found by responder
    through a partial index of the open ones: a round writes hundreds of these rows, and every
    index or check costs on each (migration 0003). Neither users nor prescriptions are ever
    deleted, and only the dispatch engine writes these rows.
    """

    __tablename__ = "notifications"

    prescription_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    usual: Mapped[bool] = mapped_column(Boolean, default=False)
    distance_km: Mapped[float | None]
    notified_at: Mapped[datetime] = mapped_column(UtcDateTime())
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # None (no answer yet), declined, accepted, taken (someone else accepted), expired, cancelled.
    answer: Mapped[str | None] = mapped_column(String(12))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index(
            "ix_notifications_open",
            "user_id",
            postgresql_where=text("answer IS NULL"),
            sqlite_where=text("answer IS NULL"),
        ),
    )


class IdempotencyRecord(Base):
    """The first answer to a request sent with an `Idempotency-Key`, replayed for the same key."""

    __tablename__ = "idempotency_records"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
