"""National directory (RPPS), caller lookup and communes: response shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class DirectoryProfessional(BaseModel):
    rpps: str
    last_name: str
    first_name: str | None
    profession_code: str | None
    profession: str | None
    specialty: str | None
    commune: str | None
    postal_code: str | None
    phone: str | None
    registered: bool


class DirectorySearchResult(BaseModel):
    items: list[DirectoryProfessional]
    truncated: bool


class PhoneCandidate(BaseModel):
    """Someone who may be calling: a professional (directory or registered), a user, a patient."""

    kind: Literal["professional", "user", "patient"]
    # "directory" (RPPS activity), "account" (users / professional_profiles), "patient" (phone, phone2)
    matched_by: list[str]
    display_name: str
    rpps: str | None = None
    user_id: int | None = None
    patient_id: int | None = None
    role: str | None = None
    profession_code: str | None = None
    profession: str | None = None
    registered: bool = False
    site: str | None = None
    commune: str | None = None
    postal_code: str | None = None


class PhoneLookup(BaseModel):
    phone: str
    # More than one person answers on this number (a practice switchboard, a shared family line).
    shared: bool
    candidates: list[PhoneCandidate]


class CommuneOut(BaseModel):
    insee_code: str
    name: str
    postal_codes: list[str]
    department: str
    latitude: float | None
    longitude: float | None
