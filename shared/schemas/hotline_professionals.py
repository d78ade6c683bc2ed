"""The hotline answering for a professional who phones in (issue 16): the « Professionnels » view.

Operators and supervisors search a registered professional, read their status and their open
offers, record their answer by phone (`POST /prescriptions/{id}/accept` and `…/decline` with
`AnswerOnBehalf`) and set their availability (`PUT /professionals/{user_id}/availability`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from shared.domain import Availability, CareMode, PrescriptionState
from shared.schemas.common import ApiModel
from shared.schemas.professional import CareModeChoice, ServedCommune

SEARCH_LIMIT_MAX = 50


class AnswerOnBehalf(ApiModel):
    """The body of accept/decline when the hotline records a professional's answer given by phone."""

    on_behalf_of: int = Field(ge=1, le=2_147_483_647, description="The professional's user id")
    channel: Literal["phone"] = "phone"


class AvailabilityOnBehalf(ApiModel):
    """« Profil activité » set by the hotline: a status, or « Indisponible » until a time (1 h to 48 h)."""

    availability: Availability
    unavailable_until: AwareDatetime | None = None
    channel: Literal["phone"] = "phone"


class ProfessionalSummary(BaseModel):
    """One registered professional as the search lists them."""

    user_id: int
    display_name: str
    last_name: str
    first_name: str
    rpps: str
    profession_code: str
    profession: str
    phone: str | None
    commune: str | None
    postal_code: str | None
    active: bool
    availability: Availability = Field(description="The status now (« unavailable » during a pause)")
    availability_label: str
    unavailable_until: datetime | None


class OpenOffer(BaseModel):
    """An offer the professional was notified of, has not answered, and may still accept."""

    prescription_id: int
    case_id: int
    case_number: str
    round: int
    profession: str
    care_type: str
    care_mode: CareMode
    care_mode_label: str
    commune: str | None
    patient_name: str
    usual: bool
    comment: str
    notified_at: datetime
    seen_at: datetime | None
    deadline_at: datetime
    time_left_seconds: int


class CareItem(BaseModel):
    """A prescription the professional accepted and has not finished."""

    prescription_id: int
    case_number: str
    care_type: str
    state: PrescriptionState
    state_label: str
    patient_name: str
    accepted_at: datetime | None


class ProfessionalStatus(BaseModel):
    """What the hotline needs on the phone with a professional: who, status, offers, patients in care."""

    professional: ProfessionalSummary
    resumes_as: Availability | None = Field(description="The status held again after a pause")
    radius_km: float
    care_modes: list[CareModeChoice]
    served_communes: list[ServedCommune]
    timezone: str
    open_offers: list[OpenOffer]
    in_care: list[CareItem]
