"""Cases, prescriptions and the answers responders give."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, model_validator

from shared.domain import CareMode, PrescriptionState, Sex
from shared.schemas.admin import Rpps
from shared.schemas.care import CareProgress
from shared.schemas.common import LONG_TEXT_MAX, ApiModel, PhoneNumber, ProfessionCode
from shared.schemas.common import PersonRef as PersonRef
from shared.validation import ValidationFailure

# Time zones of the French territories where an intervention may take place.
INTERVENTION_TIME_ZONES = (
    "Europe/Paris",
    "America/Martinique",
    "America/Guadeloupe",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
    "America/Miquelon",
    "America/St_Barthelemy",
    "America/Marigot",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Pacific/Wallis",
)
COMMENT_MAX = LONG_TEXT_MAX
MAX_PRESCRIPTIONS_PER_CASE = 10


def _intervention_tz(value: str) -> str:
    if value not in INTERVENTION_TIME_ZONES:
        raise ValidationFailure("timezone_unknown", f"Fuseau horaire non pris en charge : « {value} »")
    return value


def _comment(value: str) -> str:
    if not value.strip():
        raise ValidationFailure("comment_required", "Le commentaire est obligatoire")
    return value


InterventionTz = Annotated[str, Field(max_length=40), AfterValidator(_intervention_tz)]
Comment = Annotated[str, Field(max_length=COMMENT_MAX), AfterValidator(_comment)]


class CallerIn(ApiModel):
    name: str = Field(min_length=1, max_length=120)
    phone: PhoneNumber | None = None
    direct_line: PhoneNumber | None = None
    service: str | None = Field(default=None, max_length=120)


class RequesterIn(ApiModel):
    """The professional on whose behalf the request is made: by RPPS, or a user of ours."""

    rpps: Rpps | None = None
    user_id: int | None = None
    name: str | None = Field(default=None, max_length=120)
    profession_code: ProfessionCode | None = None

    @model_validator(mode="after")
    def _one_identity(self) -> Self:
        if (self.rpps is None) == (self.user_id is None):
            raise ValidationFailure(
                "requester_identity", "Demandeur : indiquez soit un RPPS, soit un utilisateur"
            )
        return self


class PrescriptionCreate(ApiModel):
    profession_code: ProfessionCode
    care_type: str = Field(min_length=1, max_length=100)
    care_mode: CareMode
    network_id: int | None = None
    intervention_at: datetime | None = None
    intervention_tz: InterventionTz | None = None
    intervention_delay_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 90)
    days: int = Field(default=1, ge=1, le=365)
    visits_per_day: int = Field(default=1, ge=1, le=12)
    response_delay_minutes: int = Field(ge=1, le=60 * 24 * 7)
    comment: Comment

    @model_validator(mode="after")
    def _date_or_delay(self) -> Self:
        has_date = self.intervention_at is not None
        if has_date and self.intervention_delay_minutes is not None:
            raise ValidationFailure(
                "intervention_both",
                "Indiquez une date d'intervention OU un délai d'intervention, pas les deux",
            )
        if not has_date and self.intervention_delay_minutes is None:
            raise ValidationFailure(
                "intervention_missing", "Indiquez une date d'intervention ou un délai d'intervention"
            )
        if has_date and self.intervention_tz is None:
            raise ValidationFailure(
                "intervention_tz_missing", "Indiquez le fuseau horaire de la date d'intervention"
            )
        if not has_date and self.intervention_tz is not None:
            raise ValidationFailure(
                "intervention_tz_alone", "Le fuseau horaire accompagne une date d'intervention"
            )
        return self


class CaseCreate(ApiModel):
    caller: CallerIn
    requester: RequesterIn
    patient_id: int
    prescriptions: list[PrescriptionCreate] = Field(min_length=1, max_length=MAX_PRESCRIPTIONS_PER_CASE)
    call_id: str | None = Field(default=None, max_length=100)


class PrescriptionSent(BaseModel):
    id: int
    state: PrescriptionState
    profession_code: str
    profession: str
    care_type: str
    notified_count: int
    deadline_at: datetime
    priority_until: datetime | None


class CaseCreated(BaseModel):
    case_id: int
    number: str
    prescriptions: list[PrescriptionSent]


class CancelBody(ApiModel):
    reason: str = Field(max_length=1000)

    @model_validator(mode="after")
    def _reason(self) -> Self:
        if not self.reason.strip():
            raise ValidationFailure("reason_required", "Le motif d'annulation est obligatoire")
        return self


class RenewBody(ApiModel):
    """A new round: of an expired or cancelled request, or of a pending one that reached nobody.

    `network_id` given (even null) replaces the request's network restriction: null lifts it,
    so the round is offered to every matching professional; absent keeps the restriction."""

    response_delay_minutes: int = Field(ge=1, le=60 * 24 * 7)
    comment: Comment | None = None
    intervention_delay_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 90)
    network_id: int | None = Field(default=None, description="null lifts the network restriction")

    @property
    def changes_network(self) -> bool:
        return "network_id" in self.model_fields_set


class FinishBody(ApiModel):
    report: str = Field(min_length=1, max_length=COMMENT_MAX)


class PatientArea(BaseModel):
    """What every notified responder may know of the patient before accepting.

    Before acceptance the position is an area, never the patient's: the centre of a cell of about
    2 km that holds the patient, and `approx_radius_km`, a circle around it that holds the whole
    cell. Whoever sees the prescription in full gets the exact position and no radius."""

    age: int
    sex: Sex
    commune: str
    postal_code: str
    approx_latitude: float | None
    approx_longitude: float | None
    approx_radius_km: float | None = None


class PatientIdentity(BaseModel):
    """Revealed to the accepting responder, the patient's usual professionals and the staff."""

    id: int
    last_name: str
    first_name: str
    birth_date: date
    phone: str
    address_line: str
    address_details: dict[str, str]


PHONE_VIA_HOTLINE = "par téléphone via la centrale"


class OnBehalf(BaseModel):
    """An answer the hotline recorded for a professional who phoned in (issue 16): who recorded it
    (staff see the operator; a professional reads only that it went through the hotline)."""

    channel: Literal["phone"] = "phone"
    label: str = PHONE_VIA_HOTLINE
    by: PersonRef | None = None


class PrescriptionView(BaseModel):
    id: int
    case_id: int
    case_number: str
    round: int
    state: PrescriptionState
    state_label: str
    profession_code: str
    profession: str
    care_type: str
    care_mode: CareMode
    network_id: int | None
    intervention_at: datetime | None
    intervention_tz: str | None
    intervention_delay_minutes: int | None
    days: int
    visits_per_day: int
    response_delay_minutes: int
    comment: str
    sent_at: datetime
    deadline_at: datetime
    priority_until: datetime | None
    notified_count: int
    no_recipient: bool = Field(
        default=False,
        description="Pending yet notified to nobody: shown « Aucune ressource disponible » (renewable)",
    )
    declined_count: int = Field(default=0, description="Refusals of the current round (« 1 refus »)")
    declined_user_ids: list[int] = Field(
        default_factory=list, description="Who declined in the current round (staff only; else empty)"
    )
    accepted_by: PersonRef | None
    accepted_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    closed_at: datetime | None
    report: str | None
    cancel_reason: str | None
    requester: dict[str, Any]
    caller: dict[str, Any] | None
    area: PatientArea
    patient: PatientIdentity | None
    anonymised: bool
    usual_label: str | None = Field(
        default=None,
        description="« Professionnel de santé habituel : <nom> » when the caller is one of the patient's",
    )
    time_left_seconds: int | None = Field(
        default=None, description="Seconds left to accept while the prescription is pending"
    )
    care: CareProgress | None = Field(
        default=None,
        description="Visits, reports and end of series, for full views of an accepted prescription "
        "(not on the board's rows)",
    )
    accepted_on_behalf: OnBehalf | None = Field(
        default=None,
        description="Set when the acceptance was recorded by the hotline for the professional, by phone "
        "(not on the board's rows)",
    )


class NotificationView(BaseModel):
    user_id: int
    name: str
    round: int
    usual: bool
    distance_km: float | None
    notified_at: datetime
    seen_at: datetime | None
    # withdrawn: a usual professional removed from the patient's list while the offer was open.
    answer: Literal["declined", "accepted", "taken", "expired", "cancelled", "withdrawn"] | None
    answered_at: datetime | None
    on_behalf: OnBehalf | None = None  # the answer was recorded by the hotline (by phone)


class EventView(BaseModel):
    """A change-feed event as it travels (`/changes`, `/events`); shared/schemas/feed.py types it."""

    seq: int
    type: str
    at: datetime
    case_id: int | None
    prescription_id: int | None
    data: dict[str, Any]


class ChangesPage(BaseModel):
    events: list[EventView]
    last_seq: int
