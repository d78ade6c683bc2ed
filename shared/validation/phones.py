"""French (and foreign) phone numbers: normalisation to E.164, display, region.

Overseas départements share the French 10-digit national plan (0 + 9 digits) but have their own
country calling codes. Sources: ARCEP numbering plan for the overseas territories (general
knowledge, cross-checked with the ``phonenumbers`` metadata): 0590/0690/0691 Guadeloupe (+590,
shared with Saint-Barthélemy and Saint-Martin), 0596/0696/0697 Martinique (+596), 0594/0694 Guyane
(+594), 0262/0263/0692/0693 La Réunion (+262), 0269/0639 Mayotte (+262), 0508 Saint-Pierre-et-
Miquelon (+508, whose own plan has 6 digits: 05 08 41 23 45 = +508 41 23 45).

``phonenumbers`` parsing with region "FR" is not enough: it treats 0262, 0590, 0594 and the
mobile ranges as invalid French numbers, but 0263, 0269, 0508 and 0596 as *valid* mainland
numbers. Hence the explicit prefix table, tried before the French metadata.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

from shared.validation.errors import ValidationFailure

# National prefix (0 + 3 digits) -> region whose country calling code replaces the leading 0.
_OVERSEAS_PREFIXES: Final[dict[str, str]] = {
    "0590": "GP",
    "0690": "GP",
    "0691": "GP",
    "0596": "MQ",
    "0696": "MQ",
    "0697": "MQ",
    "0594": "GF",
    "0694": "GF",
    "0262": "RE",
    "0263": "RE",
    "0692": "RE",
    "0693": "RE",
    "0269": "YT",
    "0639": "YT",
}
_SAINT_PIERRE_PREFIX: Final = "0508"
# Tried when a national number is not a valid mainland number (e.g. the 0709 0x overseas mobiles).
_FALLBACK_REGIONS: Final = ("GP", "MQ", "GF", "RE", "YT")
# Country calling codes displayed in the French national style "0X XX XX XX XX".
_FRENCH_STYLE_CODES: Final = frozenset({33, 262, 590, 594, 596})

_ALLOWED: Final = re.compile(r"[0-9\s.\-/()+]*")
_TRUNK_ZERO: Final = re.compile(r"\(\s*0\s*\)")  # the "(0)" of "+33 (0)7 …"
_SEPARATORS: Final = re.compile(r"[\s.\-/()]")


def _invalid(code: str, reason: str) -> ValidationFailure:
    return ValidationFailure(code, f"Numéro de téléphone invalide : {reason}")


def _bad_characters() -> ValidationFailure:
    return ValidationFailure(
        "phone_invalid_characters", "Le numéro de téléphone contient des caractères invalides"
    )


def _compact(text: str) -> str:
    """Digits with an optional leading "+", or a ValidationFailure for anything else."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        raise ValidationFailure("phone_missing", "Numéro de téléphone manquant")
    if not _ALLOWED.fullmatch(raw):
        raise _bad_characters()
    if raw.startswith(("+", "00")):
        raw = _TRUNK_ZERO.sub("", raw)
    compact = _SEPARATORS.sub("", raw)
    if "+" in compact[1:]:
        raise _bad_characters()
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact in ("", "+"):
        raise ValidationFailure("phone_missing", "Numéro de téléphone manquant")
    return compact


def _checked(number: PhoneNumber) -> str:
    """E.164 of a parsed number, or the most precise refusal."""
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (ValidationResult.TOO_SHORT, ValidationResult.INVALID_LENGTH):
        raise _invalid("phone_too_short", "il est trop court")
    if reason == ValidationResult.TOO_LONG:
        raise _invalid("phone_too_long", "il est trop long")
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        raise _invalid("phone_invalid", "indicatif de pays inconnu")
    if not phonenumbers.is_valid_number(number):
        raise _invalid("phone_invalid", "ce numéro n'existe pas ou n'est pas attribué")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _parse(text: str, region: str | None) -> PhoneNumber:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as exc:
        if exc.error_type in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
            raise _invalid("phone_too_short", "il est trop court") from None
        if exc.error_type == NumberParseException.TOO_LONG:
            raise _invalid("phone_too_long", "il est trop long") from None
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise _invalid("phone_invalid", "indicatif de pays inconnu") from None
        raise _invalid("phone_invalid", "ce numéro n'existe pas ou n'est pas attribué") from None


def _from_national(national: str) -> str:
    """E.164 of a French national number "0XXXXXXXXX", overseas départements included."""
    if not national.startswith("0"):
        raise _invalid(
            "phone_invalid", "un numéro français commence par 0, sinon indiquez l'indicatif du pays (+…)"
        )
    if len(national) < 10:
        raise _invalid("phone_too_short", "il est trop court")
    if len(national) > 10:
        raise _invalid("phone_too_long", "il est trop long")
    if national.startswith(_SAINT_PIERRE_PREFIX):
        return _checked(_parse("+508" + national[4:], None))
    region = _OVERSEAS_PREFIXES.get(national[:4])
    if region is not None:
        return _checked(_parse(national, region))
    mainland = _parse(national, "FR")
    if phonenumbers.is_valid_number(mainland):
        return phonenumbers.format_number(mainland, PhoneNumberFormat.E164)
    overseas = {
        phonenumbers.format_number(candidate, PhoneNumberFormat.E164)
        for candidate in (_parse(national, r) for r in _FALLBACK_REGIONS)
        if phonenumbers.is_valid_number(candidate)
    }
    if len(overseas) == 1:
        return overseas.pop()
    return _checked(mainland)


def normalize_phone(text: str) -> str:
    """E.164 form ("+33761717229") of any usual French notation or of an international number.

    Accepts spaces, dots, hyphens, slashes, "+33 (0)…" and "0033…"; a French number written
    with +33 but belonging to an overseas range (e.g. +33 6 90 …) is moved to its own country
    code, exactly like 06 90 …. Idempotent on its own output.
    """
    compact = _compact(text)
    if not compact.startswith("+"):
        return _from_national(compact)
    number = _parse(compact, None)
    if number.country_code == 33:
        return _from_national("0" + str(number.national_number))
    return _checked(number)


def _dials_back_to(national: str, e164: str) -> bool:
    try:
        return _from_national(national) == e164
    except ValidationFailure:
        return False


def format_phone_national(e164: str) -> str:
    """Format as "07 61 71 72 29" in France and overseas départements, internationally otherwise.

    The national form is only used when it reads back to the same number (e.g. an overseas
    0800 number stays "+590 800 …", since "08 00 …" would be the mainland one).
    """
    normalized = normalize_phone(e164)
    number = _parse(normalized, None)
    if number.country_code in _FRENCH_STYLE_CODES:
        digits = "0" + str(number.national_number)
        if _dials_back_to(digits, normalized):
            return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def phone_region(e164: str) -> str:
    """ISO region of the number: "FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BE"… ("001" if non-geographic)."""
    region = phonenumbers.region_code_for_number(_parse(normalize_phone(e164), None))
    return region or "ZZ"
