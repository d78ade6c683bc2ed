"""Enrolment (« S'enregistrer »): registrations waiting for their checks and the team's review,
their supporting document, and the one-time codes of phone verification and password resets.

A registration keeps what the form said, the password's argon2 hash (the account is created
with it on approval), what the checks found (`flags`: directory mismatch, duplicate…, shown to the
reviewer) and when the phone and the e-mail were verified. The document's bytes sit in a table of
their own, like prescription documents (server/services/documents.py), so listing never reads them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime


class Registration(Base):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # unverified → to_review (phone and e-mail verified) → approved | rejected
    status: Mapped[str] = mapped_column(String(12), index=True)
    identifier_kind: Mapped[str] = mapped_column(String(5))  # rpps | adeli
    identifier: Mapped[str] = mapped_column(String(11), index=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    profession_code: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    commune_insee: Mapped[str] = mapped_column(String(5))
    commune_name: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    address_line: Mapped[str] = mapped_column(String(200))
    network_name: Mapped[str | None] = mapped_column(String(120))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="SET NULL"))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The secret the applicant's client holds to verify and upload (its SHA-256 only).
    client_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # [{"code": "...", "message": "..."}]: what the reviewer must look at.
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The directory's record of the identifier when found: {"last_name", "first_name", "profession_code", …}.
    directory: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    document_content_type: Mapped[str | None] = mapped_column(String(40))
    document_size: Mapped[int | None] = mapped_column(Integer)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    phone_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    email_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    client_ip: Mapped[str | None] = mapped_column(String(64))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reject_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_registrations_ip_created", "client_ip", "created_at"),)


class RegistrationDocument(Base):
    """The pièce justificative's bytes (JPG, PNG or PDF, 2 Mio at most, checked by content)."""

    __tablename__ = "registration_documents"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class VerificationCode(Base):
    """A one-time secret: a 6-digit SMS code or an e-mailed link's token, stored as a keyed hash.

    `purpose`: registration_phone (the enrolment's SMS code), reset_sms, reset_email (password
    forgotten). `lookup_hash` finds the row from what the client holds (the reset ticket, the
    link's token); `code_hash` checks the code. Single use (`used_at`), an expiry, a count of tries.
    """

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lookup_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Who asked (password resets are limited per address and per account).
    client_ip: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_verification_codes_ip_created", "client_ip", "created_at"),)
