"""Building blocks of the API schemas: errors, limits and validated field types.

Limits are part of the contract (docs/server.md lists them); a longer value is refused with 422.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FutureDatetime,
    NaiveDatetime,
    PastDatetime,
    ValidationInfo,
    field_validator,
)

from shared.domain import PROFESSIONS
from shared.validation import ValidationFailure, clean_display_name, normalize_phone, parse_nir

NAME_MAX = 100
TEXT_MAX = 200
SHORT_MAX = 50
EMAIL_MAX = 254
PASSWORD_MIN = 12
PASSWORD_MAX = 128
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"


# What both databases hold: a signed 64-bit integer (PostgreSQL bigint, SQLite INTEGER).
DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1
INTEGER_OUT_OF_RANGE = "integer_out_of_range"
INTEGER_OUT_OF_RANGE_MESSAGE = f"nombre hors limites (entre {DB_INT_MIN} et {DB_INT_MAX})"
NUL_MESSAGE = "Le texte contient des caractères de contrôle interdits"  # as the text fields' own check


def db_int(value: int) -> int:
    """An integer the databases can hold (ids, offsets, versions, counts)."""
    if not DB_INT_MIN <= value <= DB_INT_MAX:
        raise ValidationFailure(INTEGER_OUT_OF_RANGE, INTEGER_OUT_OF_RANGE_MESSAGE)
    return value


def nul_free(value: str) -> str:
    """Text without the NUL character, which PostgreSQL's text cannot hold."""
    if "\x00" in value:
        raise ValidationFailure("control_characters", NUL_MESSAGE)
    return value


def within_utc_calendar(value: datetime) -> datetime:
    """A moment whose UTC time is a date (year 1 to 9999): « 9999-12-31T23:30-05:00 » is not."""
    if value.tzinfo is not None:
        try:
            value.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationFailure(
                "datetime_out_of_range", "date hors limites (en UTC, entre l'an 1 et l'an 9999)"
            ) from exc
    return value


def _bounded(value: Any) -> Any:
    """Every integer, moment and text inside a value (lists, dicts) within what the databases hold."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return db_int(value)
    if isinstance(value, datetime):
        return within_utc_calendar(value)
    if isinstance(value, str):
        return nul_free(value)
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _bounded(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _bounded(key)
            _bounded(item)
    return value


_NUMBER_TEXT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
MOMENT_TYPE = "datetime_type"
MOMENT_TYPE_MESSAGE = "date et heure attendues au format ISO 8601 (AAAA-MM-JJTHH:MM:SS+01:00)"


def moment_text(value: object) -> object:
    """A moment is ISO 8601 text: pydantic's lax mode would read a number (or a text of digits,
    as every query value is) as a Unix timestamp, so ``1700000000`` would pass for a date."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValidationFailure(MOMENT_TYPE, MOMENT_TYPE_MESSAGE)
    if isinstance(value, str | bytes) and _NUMBER_TEXT.fullmatch(
        value.decode("latin-1") if isinstance(value, bytes) else value
    ):
        raise ValidationFailure(MOMENT_TYPE, MOMENT_TYPE_MESSAGE)
    return value


_MOMENT_TYPES: tuple[Any, ...] = (datetime, AwareDatetime, NaiveDatetime, PastDatetime, FutureDatetime)


def _holds_moment(annotation: Any) -> bool:
    """Whether a field's annotation is, or includes (``X | None``, ``Annotated``), a datetime."""
    if annotation in _MOMENT_TYPES:
        return True
    return any(_holds_moment(arg) for arg in get_args(annotation))


# The path and query counterparts of ApiModel's checks (bodies are checked by ApiModel itself).
DbInt = Annotated[int, AfterValidator(db_int)]
NulFreeText = Annotated[str, AfterValidator(nul_free)]
AwareMoment = Annotated[AwareDatetime, BeforeValidator(moment_text), AfterValidator(within_utc_calendar)]


class ApiModel(BaseModel):
    """Every request body refuses unknown fields, so a typo is an error rather than lost data, and
    holds nothing the databases cannot store: integers beyond 64 bits, moments whose UTC leaves the
    calendar, the NUL character (each a 422 naming its field, never a database error); and every
    moment is ISO 8601 text, never a number read as a Unix timestamp (``moment_text``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str):
            return nul_free(value)
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _moments_are_text(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and _holds_moment(field.annotation):
            return moment_text(value)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _within_database_limits(cls, value: Any) -> Any:
        return _bounded(value)


class PersonRef(BaseModel):
    """Someone named in an answer: their user id and display name."""

    id: int
    name: str


class FieldError(BaseModel):
    field: str
    message: str
    code: str


class ErrorBody(BaseModel):
    detail: str
    code: str
    errors: list[FieldError] | None = None


def person_name(label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        return clean_display_name(value, field=label, max_length=NAME_MAX)

    return check


def _profession(code: str) -> str:
    if code not in PROFESSIONS:
        raise ValidationFailure("profession_unknown", f"Code profession inconnu : « {code} »")
    return code


def _nir(value: str) -> str:
    return parse_nir(value).value


def _insee(value: str) -> str:
    value = value.upper()
    if not re.fullmatch(r"\d{5}|2[AB]\d{3}", value):
        raise ValidationFailure("insee_invalid", "Code INSEE invalide (5 caractères, 2A/2B pour la Corse)")
    return value


def _postal_code(value: str) -> str:
    if not re.fullmatch(r"\d{5}", value):
        raise ValidationFailure("postal_code_invalid", "Code postal invalide (5 chiffres)")
    return value


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ValidationFailure("email_invalid", "Adresse e-mail invalide")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailure("timezone_unknown", f"Fuseau horaire inconnu : « {value} »") from exc
    return value


def _text_required(value: str) -> str:
    if not value.strip():
        raise ValidationFailure("text_required", "Le texte est obligatoire")
    return value


def _blank_is_none(value: str | None) -> str | None:
    return value or None


def _not_in_future(value: date) -> date:
    if value > date.today():
        raise ValidationFailure("birth_date_future", "La date de naissance est dans le futur")
    if value.year < 1890:
        raise ValidationFailure("birth_date_too_old", "Date de naissance trop ancienne")
    return value


PhoneNumber = Annotated[str, Field(max_length=40), AfterValidator(normalize_phone)]
Nir = Annotated[str, Field(max_length=25), AfterValidator(_nir)]
InseeCode = Annotated[str, Field(max_length=5), AfterValidator(_insee)]
PostalCode = Annotated[str, Field(max_length=5), AfterValidator(_postal_code)]
Email = Annotated[str, Field(max_length=EMAIL_MAX), AfterValidator(_email)]
ProfessionCode = Annotated[str, Field(max_length=2), AfterValidator(_profession)]
TimeZoneName = Annotated[str, Field(max_length=40), AfterValidator(_timezone)]


def _date_text(value: object) -> object:
    """JSON dates are text: a number would otherwise be read as a Unix timestamp."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValidationFailure("date_type", "date attendue au format AAAA-MM-JJ")
    return value


BirthDate = Annotated[date, BeforeValidator(_date_text), AfterValidator(_not_in_future)]
ShortText = Annotated[str, Field(max_length=SHORT_MAX)]
Text = Annotated[str, Field(max_length=TEXT_MAX)]
Username = Annotated[str, Field(pattern=USERNAME_PATTERN)]
Password = Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
LastName = Annotated[str, Field(max_length=NAME_MAX), AfterValidator(person_name("Nom"))]
FirstName = Annotated[str, Field(max_length=NAME_MAX), AfterValidator(person_name("Prénom"))]
BirthLastName = Annotated[str, Field(max_length=NAME_MAX), AfterValidator(person_name("Nom de naissance"))]
BirthFirstNames = Annotated[
    str, Field(max_length=TEXT_MAX), AfterValidator(person_name("Prénoms de naissance"))
]
DisplayName = Annotated[str, Field(min_length=1, max_length=120)]
# Free text of an exchange or a report: required, 4,000 characters at most.
LONG_TEXT_MAX = 4000
RequiredText = Annotated[str, Field(max_length=LONG_TEXT_MAX), AfterValidator(_text_required)]
BlankIsNone = AfterValidator(_blank_is_none)
