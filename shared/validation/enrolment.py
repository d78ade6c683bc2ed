"""What a professional enrols with: their national identifier (RPPS or ADELI, by profession), a
mobile phone that can receive the SMS code, an e-mail address.

Which professions have an RPPS number, hence may not enrol with an ADELI one (the user guide:
« N'utilisez le numéro ADELI que pour les professions n'ayant pas du numéro RPPS »). Source:
DREES, « La démographie des professionnels de santé » (sources and tools page), cross-checked
with ARS Occitanie, « Bascule des professionnels Adeli dans le RPPS »: médecins, chirurgiens-
dentistes, pharmaciens and sages-femmes are registered by their Ordre in the RPPS since 2012,
masseurs-kinésithérapeutes since 2017, pédicures-podologues since 2018, infirmiers since the ONI
switch of October 2021 (2022 in DREES's figures). The other professions of TRE_G15 (audio-
prothésistes, opticiens, diététiciens, ergothérapeutes, orthophonistes, orthoptistes,
psychomotriciens, the « appareillage » professions, techniciens de laboratoire…) were in ADELI
and switched to the RPPS in 2023–2024: they may enrol with either, since many still hold the
ADELI certificate the seeds ask for. Infirmier psychiatrique (69) follows the infirmiers.
RPPS: 11 digits with a Luhn key; ADELI: 9 digits (shared/validation/identifiers.py).
"""

from __future__ import annotations

from typing import Final, Literal

import phonenumbers
from phonenumbers import PhoneNumberType

from shared.validation.errors import ValidationFailure
from shared.validation.identifiers import validate_adeli, validate_rpps
from shared.validation.phones import normalize_phone

IdentifierKind = Literal["rpps", "adeli"]

# TRE_G15 codes of the professions registered in the RPPS by their Ordre (see the docstring).
RPPS_PROFESSIONS: Final = frozenset({"10", "21", "40", "50", "60", "69", "70", "80"})

_MOBILE_TYPES: Final = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def adeli_allowed(profession_code: str) -> bool:
    """True for a profession that may still enrol with its ADELI number."""
    return profession_code not in RPPS_PROFESSIONS


def validate_professional_identifier(kind: str, identifier: str, profession_code: str) -> str:
    """The identifier, checked for its kind and allowed for the profession."""
    if kind == "rpps":
        return validate_rpps(identifier)
    if kind != "adeli":
        raise ValidationFailure("identifier_kind_unknown", "Choisissez RPPS ou ADELI")
    if not adeli_allowed(profession_code):
        raise ValidationFailure(
            "adeli_not_for_profession",
            "Votre profession est enregistrée au RPPS : indiquez votre numéro RPPS (11 chiffres), "
            "le numéro ADELI n'est accepté que pour les professions sans RPPS",
        )
    return validate_adeli(identifier)


def validate_mobile_phone(text: str) -> str:
    """A number that can receive an SMS (a mobile), in E.164."""
    e164 = normalize_phone(text)
    if phonenumbers.number_type(phonenumbers.parse(e164)) not in _MOBILE_TYPES:
        raise ValidationFailure(
            "phone_not_mobile",
            "Indiquez un numéro de téléphone mobile : le code de vérification est envoyé par SMS",
        )
    return e164
