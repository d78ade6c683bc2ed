"""Administration: users, networks and responder accounts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, model_validator

from shared.domain import Availability, Role
from shared.schemas.auth import UserOut
from shared.schemas.common import (
    ApiModel,
    DisplayName,
    Email,
    FirstName,
    InseeCode,
    LastName,
    Password,
    PhoneNumber,
    PostalCode,
    ProfessionCode,
    TimeZoneName,
    Username,
)
from shared.validation import ValidationFailure, validate_rpps

Rpps = Annotated[str, Field(max_length=11), AfterValidator(validate_rpps)]


class NetworkCreate(ApiModel):
    name: str = Field(min_length=2, max_length=120)


class NetworkOut(BaseModel):
    id: int
    name: str


class UserCreate(ApiModel):
    """A staff account. Without `password` (the back office's way), the account gets a one-time
    link to choose its own password (`UserCreated.password_link`); the CLI and scripted
    provisioning may still give one."""

    username: Username
    password: Password | None = None
    role: Role
    display_name: DisplayName
    phone: PhoneNumber | None = None
    email: Email | None = None
    network_ids: list[int] = Field(default_factory=list, max_length=50)


class PasswordLinkIssued(BaseModel):
    """A one-time link for the user to choose their password (an admin's reset, or a new account):
    sent to the user's e-mail or phone, or — `channel: handover`, an account with neither — shown
    once here (`link`) to hand over in person. The admin never knows a usable password."""

    channel: Literal["email", "sms", "handover"]
    link_id: int
    expires_at: datetime
    link: str | None = None
    message: str


class UserCreated(UserOut):
    """The new account, and its set-password link when it was created without a password."""

    password_link: PasswordLinkIssued | None = None


class PracticeUpdate(ApiModel):
    """The professionals a secretary works for (her practice): she sees their patients only."""

    professional_ids: list[int] = Field(max_length=200)


class PracticeOut(BaseModel):
    secretary_user_id: int
    professional_ids: list[int]


class UserPatch(ApiModel):
    """What to change on a user; `role` moves a user between the staff roles and admin (not to or
    from professional), `active: false` deactivates (their tokens stop working at once)."""

    display_name: DisplayName | None = None
    role: Role | None = None
    # Refused (422 `password_not_settable`): an admin resets, the user chooses (issue 17).
    password: Password | None = None
    phone: PhoneNumber | None = None
    active: bool | None = None
    network_ids: list[int] | None = Field(default=None, max_length=50)


def _clock_time(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", value):
        raise ValidationFailure("time_invalid", f"Heure invalide : « {value} » (HH:MM attendu)")
    return value


def _webhook_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", value):
        raise ValidationFailure("url_invalid", "Adresse de webhook invalide (http:// ou https://)")
    return value


WebhookUrl = Annotated[str, Field(max_length=500), AfterValidator(_webhook_url)]
ClockTime = Annotated[str, Field(max_length=5), AfterValidator(_clock_time)]


class Hours(ApiModel):
    """A time range of a day, HH:MM to HH:MM (24:00 for midnight)."""

    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start >= self.end:
            raise ValidationFailure(
                "window_order", "La plage horaire doit finir après son début (utilisez 24:00 pour minuit)"
            )
        return self


class NotificationWindow(Hours):
    """Hours when a responder accepts offers on one weekday (0 = lundi), in their own time zone."""

    weekday: int = Field(ge=0, le=6)


class ProfessionalCreate(ApiModel):
    username: Username
    password: Password
    rpps: Rpps
    last_name: LastName
    first_name: FirstName
    profession_code: ProfessionCode
    specialty_code: str | None = Field(default=None, max_length=8)
    phone: PhoneNumber | None = None
    commune_insee: InseeCode | None = None
    commune_name: str | None = Field(default=None, max_length=100)
    postal_code: PostalCode | None = None
    # The practice's position; without it, the centroid of `commune_insee` (server/geo/placing.py).
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float = Field(default=10.0, gt=0, le=200)
    availability: Availability = Availability.BOTH
    timezone: TimeZoneName = "Europe/Paris"
    network_ids: list[int] = Field(default_factory=list, max_length=50)
    notification_windows: list[NotificationWindow] = Field(default_factory=list, max_length=70)
    webhook_url: WebhookUrl | None = None

    @model_validator(mode="after")
    def _placed(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationFailure(
                "position_partial", "Indiquez la latitude et la longitude, ou aucune des deux"
            )
        if self.latitude is None and self.commune_insee is None:
            raise ValidationFailure("position_missing", "Indiquez la position du cabinet ou sa commune")
        return self


class ProfessionalPatch(ApiModel):
    phone: PhoneNumber | None = None
    # A new commune without new coordinates moves the position to the commune's centroid.
    commune_insee: InseeCode | None = None
    commune_name: str | None = Field(default=None, max_length=100)
    postal_code: PostalCode | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, gt=0, le=200)
    availability: Availability | None = None
    unavailable_until: AwareDatetime | None = None
    timezone: TimeZoneName | None = None
    network_ids: list[int] | None = Field(default=None, max_length=50)
    notification_windows: list[NotificationWindow] | None = Field(default=None, max_length=70)
    webhook_url: WebhookUrl | None = None
    active: bool | None = None


class ProfessionalOut(BaseModel):
    user_id: int
    username: str
    active: bool
    rpps: str
    last_name: str
    first_name: str
    profession_code: str
    profession: str
    specialty_code: str | None
    phone: str | None
    commune_insee: str | None
    commune_name: str | None
    postal_code: str | None
    latitude: float
    longitude: float
    radius_km: float
    availability: Availability
    unavailable_until: datetime | None
    timezone: str
    network_ids: list[int]
    notification_windows: list[NotificationWindow]
    webhook_url: str | None = None
    # The webhook's signing key, only in the answer that set a new webhook URL (shown once; later
    # answers omit it: POST …/webhook-secret issues a new one). docs/server.md « Webhooks ».
    webhook_secret: str | None = Field(default=None, exclude_if=lambda value: value is None)


class WebhookSecretOut(BaseModel):
    """A new signing key for a professional's webhook, shown this once (the old one stops at once)."""

    webhook_secret: str


class AvailabilityUpdate(ApiModel):
    """« Profil activité »: a status, and optionally « Indisponible » until a time (1 h to 48 h)."""

    availability: Availability
    unavailable_until: AwareDatetime | None = None
