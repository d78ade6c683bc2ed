"""Users, networks, bearer tokens, login throttling and responder profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Computed, Float, ForeignKey, Index, Integer, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UtcDateTime

user_networks = Table(
    "user_networks",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)


class Network(Base):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # Where account messages go (the enrolment's approval, a password-reset link); migration 0011.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    networks: Mapped[list[Network]] = relationship(secondary=user_networks, lazy="selectin")
    professional: Mapped[ProfessionalProfile | None] = relationship(
        back_populates="user", lazy="selectin", uselist=False
    )

    # Matching checks « active » against this small index instead of a lookup per responder.
    __table_args__ = (
        Index(
            "ix_users_inactive", "id", postgresql_where=text("NOT active"), sqlite_where=text("NOT active")
        ),
    )

    @property
    def network_ids(self) -> list[int]:
        return sorted(n.id for n in self.networks)


class AuthToken(Base):
    """A bearer token; only its SHA-256 is stored, so a database leak yields no usable token."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    client: Mapped[str] = mapped_column(String(200), default="")


class LoginThrottle(Base):
    """Consecutive failed logins per username (known or not) and the current block."""

    __tablename__ = "login_throttles"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocks: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ProfessionalProfile(Base):
    """A registered responder: where they practise, how far they go, when they accept offers."""

    __tablename__ = "professional_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The national identifier: 11 digits for an RPPS number, 9 for an ADELI one (`identifier_kind`),
    # as directory_persons.rpps holds them; the lengths never collide (migration 0011).
    rpps: Mapped[str] = mapped_column(String(11), unique=True)
    identifier_kind: Mapped[str] = mapped_column(String(5), default="rpps", server_default="rpps")
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name_key: Mapped[str] = mapped_column(String(100), index=True)
    first_name_key: Mapped[str] = mapped_column(String(100))
    profession_code: Mapped[str] = mapped_column(String(2), index=True)
    specialty_code: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    commune_name: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    radius_km: Mapped[float] = mapped_column(Float, default=10.0)
    availability: Mapped[str] = mapped_column(String(12), default="both")
    unavailable_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    timezone: Mapped[str] = mapped_column(String(40), default="Europe/Paris")
    # [{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}], validated by the API schema; empty = all day.
    notification_windows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Generated by the database (migration 0005), so matching filters on it from the band index.
    has_windows: Mapped[bool | None] = mapped_column(
        Boolean, Computed("CAST(notification_windows AS TEXT) <> '[]'")
    )
    # Where offers are pushed besides the database record and the WebSocket (None: no webhook).
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    # The key each delivery is signed with (HMAC-SHA256, server/notify/webhook_signing.py); set with
    # the URL and shown once to whoever set it (migration 0014).
    webhook_secret: Mapped[str | None] = mapped_column(String(64))
    # « Pref. PeC »: home visits and/or office consultations (matching, beside the status).
    care_visits: Mapped[bool] = mapped_column(Boolean, default=True)
    care_office: Mapped[bool] = mapped_column(Boolean, default=True)
    # How offers reach them besides the app: {"push": bool, "sms": bool, "email": bool}.
    channels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User] = relationship(back_populates="professional")

    # Matching (server/services/matching.py): the latitude band of a profession, filtered on the
    # index alone (on PostgreSQL it carries every filtered column: an index-only scan); and the
    # profession's largest radius, one step down an index.
    __table_args__ = (
        Index(
            "ix_professional_profiles_area",
            "profession_code",
            "latitude",
            "longitude",
            "radius_km",
            postgresql_include=[
                "availability",
                "unavailable_until",
                "has_windows",
                "user_id",
                "care_visits",
                "care_office",
            ],
        ),
        # The few responders with a webhook, found without a lookup per notified responder.
        Index(
            "ix_professional_profiles_webhook",
            "user_id",
            postgresql_where=text("webhook_url IS NOT NULL"),
            sqlite_where=text("webhook_url IS NOT NULL"),
        ),
        Index("ix_professional_profiles_reach", "profession_code", "radius_km"),
    )


class ProfessionalCommune(Base):
    """A commune a responder serves (« communes desservies »): they are offered its patients even
    beyond their radius. Keyed by commune first: matching looks up one commune's responders."""

    __tablename__ = "professional_communes"

    commune_insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("professional_profiles.user_id", ondelete="CASCADE"), primary_key=True, index=True
    )
