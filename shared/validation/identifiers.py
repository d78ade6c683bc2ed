"""Identifiers of health professionals: RPPS, ADELI and the "Identification nationale PP".

Sources (general knowledge, cross-checked with public ANS material — Annuaire Santé extraction
files and FAQ, "Référentiel d'identification des acteurs sanitaires et médico-sociaux"):

* RPPS: 11 digits, the last one a Luhn check digit (verified on real published numbers such as
  10001045367 or 10002241056).
* ADELI: 9 digits built from the département, the profession and an order number; it is being
  replaced by RPPS. No official public description of its check character was found, so only the
  format (9 digits) is checked: refusing a real number would be worse than missing a typo.
* Identification nationale PP (CPS card, Annuaire Santé): one type digit then the identifier —
  "8" + RPPS (12 characters) or "0" + ADELI (10 characters).
"""

from __future__ import annotations

import re
from typing import Final

from shared.validation.errors import ValidationFailure

_SEPARATORS: Final = re.compile(r"[\s.\-]+")
_RPPS_LENGTH: Final = 11
_ADELI_LENGTH: Final = 9
_TYPE_RPPS: Final = "8"
_TYPE_ADELI: Final = "0"


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text)


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def luhn_is_valid(digits: str) -> bool:
    """Luhn (mod 10) check over a string of ASCII digits, check digit last."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def validate_rpps(text: str) -> str:
    """The 11-digit RPPS number, separators removed, after checking its Luhn key."""
    rpps = _compact(text)
    if len(rpps) != _RPPS_LENGTH or not _is_ascii_digits(rpps):
        raise ValidationFailure("rpps_format", "Le numéro RPPS doit comporter 11 chiffres")
    if not luhn_is_valid(rpps):
        raise ValidationFailure("rpps_key_invalid", "Numéro RPPS invalide (clé de contrôle)")
    return rpps


def validate_adeli(text: str) -> str:
    """The 9-digit ADELI number, separators removed (format only, see the module docstring)."""
    adeli = _compact(text)
    if len(adeli) != _ADELI_LENGTH or not _is_ascii_digits(adeli):
        raise ValidationFailure("adeli_format", "Le numéro ADELI doit comporter 9 chiffres")
    return adeli


def parse_national_id(text: str) -> tuple[str, str]:
    """Split an "Identification nationale PP" into ("rpps", number) or ("adeli", number)."""
    national_id = _compact(text)
    if not national_id:
        raise ValidationFailure("national_id_missing", "Identifiant national du professionnel manquant")
    if not _is_ascii_digits(national_id):
        raise ValidationFailure(
            "national_id_format", "L'identifiant national du professionnel ne doit contenir que des chiffres"
        )
    kind, number = national_id[0], national_id[1:]
    if kind == _TYPE_RPPS:
        if len(number) != _RPPS_LENGTH:
            raise ValidationFailure(
                "national_id_length", "Un identifiant national RPPS comporte 12 chiffres (8 + numéro RPPS)"
            )
        return "rpps", validate_rpps(number)
    if kind == _TYPE_ADELI:
        if len(number) != _ADELI_LENGTH:
            raise ValidationFailure(
                "national_id_length", "Un identifiant national ADELI comporte 10 chiffres (0 + numéro ADELI)"
            )
        return "adeli", validate_adeli(number)
    raise ValidationFailure(
        "national_id_type_unknown",
        "Type d'identifiant national inconnu : il doit commencer par 8 (RPPS) ou 0 (ADELI)",
    )
