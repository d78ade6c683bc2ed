"""The professional's own side: their lists (« Patients en Soins »…), offers count and profile.

Profile (« Profil Activité »): the status (« Disponible (C&V) », « Disponible Cabinet »,
« Disponible Visite », « Indisponible », or unavailable for 1 to 48 h), the notification hours
per weekday in the FAQ's three states (« Horaires personnalisés », unavailable all day, « Disponible
toute la journée » by default), the care preferences (« Pref. PeC »: visits and/or office, the
radius around the practice, 10 km by default, and the communes served) and the channels.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from shared.domain import Availability
from shared.schemas.admin import Hours as Hours  # the web pages import it from here too
from shared.schemas.common import ApiModel, InseeCode
from shared.schemas.dispatch import PrescriptionView
from shared.validation import ValidationFailure

Section = Literal["care", "coordination", "requests", "archive"]
SECTION_LABELS: dict[str, str] = {
    "care": "Patients en Soins",
    "coordination": "Patients en Coordination",
    "requests": "Mes Déclenchements",
    "archive": "Mes archives",
}
CareModeChoice = Literal["visit", "office"]
DayState = Literal["all_day", "custom", "off"]
COMMUNES_MAX = 50
HOURS_PER_DAY_MAX = 10


class MyCases(BaseModel):
    section: Section
    label: str
    items: list[PrescriptionView]
    offers_count: int = Field(description="Offers waiting for my answer (the header's badge)")


class OffersCount(BaseModel):
    count: int


class DaySchedule(ApiModel):
    """One weekday (0 = lundi): notified all day (the default), only during `hours`, or not at all."""

    weekday: int = Field(ge=0, le=6)
    state: DayState = "all_day"
    hours: list[Hours] = Field(default_factory=list, max_length=HOURS_PER_DAY_MAX)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.state == "custom" and not self.hours:
            raise ValidationFailure("hours_missing", "Horaires personnalisés : indiquez au moins une plage")
        if self.state != "custom" and self.hours:
            raise ValidationFailure(
                "hours_unexpected", "Des plages horaires vont avec « Horaires personnalisés »"
            )
        spans = sorted((h.start, h.end) for h in self.hours)
        if any(later[0] < earlier[1] for earlier, later in pairwise(spans)):
            raise ValidationFailure("hours_overlap", "Les plages horaires d'un même jour se chevauchent")
        return self


NotificationEvent = Literal[
    "offer", "offer_taken", "request_accepted", "request_expired", "patient_comment", "message"
]
ProfileChannel = Literal["push", "sms", "email"]


class Channels(ApiModel):
    """How offers reach the professional besides the app itself: each channel's switch, and
    optionally per event the channels it uses (server/notify/preferences.py). A channel is used
    for an event when its switch is on and the event names it; an event left out of `events`
    (or no `events`: every profile written before it existed) keeps the defaults."""

    push: bool = True
    sms: bool = False
    email: bool = False
    events: dict[NotificationEvent, list[ProfileChannel]] | None = Field(
        default=None,
        description="Per event (offer, offer_taken, request_accepted, request_expired, "
        'patient_comment, message) the channels it uses, e.g. {"offer": ["push", "sms"]}',
    )

    @model_validator(mode="after")
    def _each_channel_once(self) -> Self:
        if self.events is not None:
            self.events = {event: list(dict.fromkeys(chosen)) for event, chosen in self.events.items()}
        return self


class ServedCommune(BaseModel):
    insee_code: str
    name: str | None
    postal_code: str | None


class ProfileOut(BaseModel):
    availability: Availability = Field(description="The status now (« unavailable » during a pause)")
    availability_label: str
    unavailable_until: datetime | None = Field(description="End of a pause of 1 to 48 h, if one runs")
    resumes_as: Availability | None = Field(description="The status a running pause gives back")
    notification_windows: list[DaySchedule] = Field(description="The seven weekdays, Monday first")
    care_modes: list[CareModeChoice]
    radius_km: float
    communes: list[str]
    served_communes: list[ServedCommune]
    channels: Channels
    timezone: str


class ProfileUpdate(ApiModel):
    """What to change; what is left out stays. Giving `availability` without `unavailable_until`
    ends a pause; `availability: "unavailable"` with `unavailable_until` pauses for 1 to 48 h and
    then gives back the status held before. Weekdays left out of `notification_windows` are
    « Disponible toute la journée »; `communes` replaces the communes served."""

    availability: Availability | None = None
    unavailable_until: AwareDatetime | None = None
    notification_windows: list[DaySchedule] | None = Field(default=None, max_length=7)
    care_modes: list[CareModeChoice] | None = Field(default=None, min_length=1, max_length=2)
    radius_km: float | None = Field(default=None, gt=0, le=200)
    communes: list[InseeCode] | None = Field(default=None, max_length=COMMUNES_MAX)
    channels: Channels | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        days = self.notification_windows
        if days is not None:
            if len({d.weekday for d in days}) != len(days):
                raise ValidationFailure("weekday_repeated", "Chaque jour ne peut figurer qu'une fois")
            if len(days) == 7 and all(d.state == "off" for d in days):
                raise ValidationFailure(
                    "windows_all_off",
                    "Au moins un jour doit recevoir des notifications : pour n'en recevoir aucune, "
                    "choisissez le statut « Indisponible »",
                )
        if self.care_modes is not None and len(set(self.care_modes)) != len(self.care_modes):
            raise ValidationFailure(
                "care_mode_repeated", "Chaque type de prise en charge ne figure qu'une fois"
            )
        return self
