"""Inline validation messages: French text keyed by field name, as the UI shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from shared.validation import ValidationFailure, clean_display_name, normalize_phone

FieldErrors = dict[str, str]
ModelT = TypeVar("ModelT", bound=BaseModel)

REQUIRED = "Ce champ est obligatoire"


def message_of(error: dict[str, object]) -> str:
    """The French sentence of one pydantic error (our validators raise ``ValidationFailure``)."""
    context = error.get("ctx")
    if isinstance(context, dict):
        cause = context.get("error")
        if isinstance(cause, ValidationFailure):
            return cause.message
    kind = str(error.get("type", ""))
    limits = context if isinstance(context, dict) else {}
    if kind == "string_too_long":
        return f"Au plus {limits.get('max_length')} caractères"
    if kind in ("greater_than_equal", "greater_than"):
        return f"Valeur trop petite (minimum {limits.get('ge', limits.get('gt'))})"
    if kind in ("less_than_equal", "less_than"):
        return f"Valeur trop grande (maximum {limits.get('le', limits.get('lt'))})"
    if kind in ("int_parsing", "int_type", "float_parsing"):
        return "Nombre attendu"
    if kind in ("missing", "string_too_short"):
        return REQUIRED
    if kind == "enum" or kind == "literal_error":
        return "Valeur non proposée"
    return "Valeur invalide"


def validate_model(
    model: type[ModelT], body: dict[str, object], errors: FieldErrors, prefix: str = "", *, whole: str = ""
) -> ModelT | None:
    """Builds ``model`` from ``body``; on failure adds one message per field to ``errors``.

    A rule that ties several fields together (no field in its location) is keyed ``whole``.
    """
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        for error in exc.errors():
            location = [str(part) for part in error["loc"]]
            key = prefix + ".".join(location) if location else whole
            errors.setdefault(key, message_of(dict(error)))
        return None


def check_required(values: dict[str, str], names: tuple[str, ...], errors: FieldErrors) -> None:
    for name in names:
        if not values.get(name, "").strip():
            errors.setdefault(name, REQUIRED)


def check(errors: FieldErrors, key: str, rule: Callable[[], object]) -> None:
    """Runs one shared validator; its French message becomes the field's message."""
    try:
        rule()
    except ValidationFailure as failure:
        errors.setdefault(key, failure.message)


def check_phone(errors: FieldErrors, key: str, text: str) -> None:
    if text.strip():
        check(errors, key, lambda: normalize_phone(text))


def check_name(errors: FieldErrors, key: str, text: str, label: str) -> None:
    if text.strip():
        check(errors, key, lambda: clean_display_name(text, field=label))


def parse_date(text: str) -> date:
    """« 09/08/1952 », « 9/8/1952 » or « 1952-08-09 »."""
    value = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValidationFailure("date_invalid", "Date invalide (format JJ/MM/AAAA)")


def parse_birth_date(text: str, today: date) -> date:
    born = parse_date(text)
    if born > today:
        raise ValidationFailure("birth_date_future", "La date de naissance est dans le futur")
    if born.year < 1890:
        raise ValidationFailure("birth_date_too_old", "Date de naissance trop ancienne")
    return born


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")
