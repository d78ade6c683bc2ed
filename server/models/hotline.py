"""The hotline's call distribution (issue 19, docs/hotline.md): every operator's current state, the
history of their states, the hotline's calls (one row per SIP Call-ID) and its settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime

HOTLINE_SETTINGS_ID = 1  # the single row of hotline_settings


class Agent(Base):
    """One row per operator who ever held a hotline state: what they do now (the server is the
    record Kamailio asks, server/services/hotline_routing.py)."""

    __tablename__ = "agent_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(12))
    since: Mapped[datetime] = mapped_column(UtcDateTime())
    pause_reason: Mapped[str | None] = mapped_column(String(40))
    # Why the server set the state itself (« unanswered », « disconnected »…); None: the operator.
    automatic: Mapped[str | None] = mapped_column(String(20))
    sip_user: Mapped[str | None] = mapped_column(String(64), unique=True)
    call_id: Mapped[str | None] = mapped_column(String(200))
    caller: Mapped[str] = mapped_column(String(200), default="")
    idle_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    unanswered_in_row: Mapped[int] = mapped_column(Integer, default=0)
    # The call this operator is being offered (ringing), until when: never two offers at once.
    reserved_call_id: Mapped[str | None] = mapped_column(String(200))
    reserved_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Refreshed while the desktop's feed connection is up (server/live/presence.py); None: not watched.
    connected_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AgentStatePeriod(Base):
    """One period in one state (pause time by reason, wrap-up time); `ended_at` None: the current one."""

    __tablename__ = "agent_state_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    pause_reason: Mapped[str | None] = mapped_column(String(40))
    automatic: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class HotlineCall(Base):
    """One call to the hotline number, by its SIP Call-ID: from its arrival to its end; its `id` is
    the queue entry's."""

    __tablename__ = "hotline_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(200), unique=True)
    caller_number: Mapped[str] = mapped_column(String(80), default="")
    caller_name: Mapped[str] = mapped_column(String(200), default="")
    # ringing → waiting (queued) ⇄ offered → answered → ended; or lost (hung up before an answer)
    state: Mapped[str] = mapped_column(String(12))
    arrived_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    offered_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    offered_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    # A lost call's record in « Appels manqués à rappeler » (call_records.id).
    call_record_id: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (Index("ix_hotline_calls_state_queued", "state", "queued_at"),)


class HotlineCallEvent(Base):
    """What Kamailio and the queue holder told, once per call, kind and SIP user (idempotence)."""

    __tablename__ = "hotline_call_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    sip_user: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("call_id", "kind", "sip_user", name="uq_hotline_call_events_key"),)


class HotlineSettingsRow(Base):
    """The platform's settings of the hotline (shared/schemas/hotline.py `HotlineSettings`); one row,
    also the lock that serialises every distribution decision (server/services/hotline_settings.py)."""

    __tablename__ = "hotline_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    pause_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    qualifications: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    wrap_up_seconds: Mapped[int] = mapped_column(Integer)
    unanswered_limit: Mapped[int] = mapped_column(Integer)
    strategy: Mapped[str] = mapped_column(String(20))
    ring_seconds: Mapped[int] = mapped_column(Integer)
    service_level_seconds: Mapped[int] = mapped_column(Integer)
    service_level_target_percent: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
