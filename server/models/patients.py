"""Patients, their usual professionals and their timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UtcDateTime


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Identity as typed (display form) and search keys (see shared.validation.names).
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    birth_last_name: Mapped[str | None] = mapped_column(String(100))
    birth_first_names: Mapped[str | None] = mapped_column(String(200))
    last_name_key: Mapped[str] = mapped_column(String(100), index=True)
    first_name_key: Mapped[str] = mapped_column(String(100), index=True)
    birth_last_name_key: Mapped[str | None] = mapped_column(String(100), index=True)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    birth_place_insee: Mapped[str | None] = mapped_column(String(5))
    nir: Mapped[str | None] = mapped_column(String(15), unique=True)
    ins_oid: Mapped[str | None] = mapped_column(String(32))
    identity_status: Mapped[str] = mapped_column(String(12), default="provisional")
    # What supports the status (RNIV): {"document": {...}, "insi": {...}}
    # (server/services/identity_vigilance.py)
    identity_evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occupation: Mapped[str | None] = mapped_column(String(100))
    insurance_scheme: Mapped[str | None] = mapped_column(String(16))
    # Contact
    phone: Mapped[str] = mapped_column(String(20), index=True)
    phone2: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # Address of residence
    address_line: Mapped[str] = mapped_column(String(200))
    address_complement: Mapped[str | None] = mapped_column(String(200))
    building: Mapped[str | None] = mapped_column(String(50))
    staircase: Mapped[str | None] = mapped_column(String(50))
    floor: Mapped[str | None] = mapped_column(String(50))
    digicode: Mapped[str | None] = mapped_column(String(50))
    intercom: Mapped[str | None] = mapped_column(String(50))
    door: Mapped[str | None] = mapped_column(String(50))
    postal_code: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(100))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The care record: « Directives anticipées », « Personnes de confiance » [{"name","relation","phone"}].
    advance_directives: Mapped[str | None] = mapped_column(Text)
    trusted_persons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    usual_professionals: Mapped[list[UsualProfessional]] = relationship(
        back_populates="patient",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="UsualProfessional.id",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own convention


class UsualProfessional(Base):
    """« Professionnel habituel » of a patient, identified by RPPS (registered here or not)."""

    __tablename__ = "usual_professionals"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    profession_code: Mapped[str] = mapped_column(String(2))
    rpps: Mapped[str] = mapped_column(String(11), index=True)
    last_name: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))

    patient: Mapped[Patient] = relationship(back_populates="usual_professionals")

    __table_args__ = (
        UniqueConstraint("patient_id", "profession_code", "rpps", name="uq_usual_professional"),
    )


class PatientEvent(Base):
    """One line of a patient's « Horodatage »."""

    __tablename__ = "patient_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
