"""NIR (French social security number), NIA and INS OIDs.

Sources for the rules below (each rule's comment says which one applies):

[DECRET]  Décret n° 82-103 du 22 janvier 1982, art. 4, quoted by INSEE in
          https://xml.insee.fr/schema/2004/nir.html: 13 characters = sex (1), year (2),
          month (2), place of birth (5 "chiffres ou caractères"), order number (3).
[SP]      Service-public.fr, « Que signifie le numéro de sécurité sociale ? » (F33078, checked
          30/09/2022): department code *as it existed at the time of birth*; 99 + INSEE country
          code for people born abroad; 91-94 (Algeria), 95 (Morocco), 96 (Tunisia) for people
          born there before independence.
[DSS]     Ministère des affaires sociales, « Les règles d'identification et d'immatriculation des
          assurés » : departments 01-95, and 2A/2B for Corsica since 1 January 1976; 97 or 98
          followed by the rest of the overseas commune code.
[ANS]     Référentiel INS / FHIR FR Core (ANS): matricule INS = NIR or, failing that, NIA (which
          "dans la très grande majorité des cas" is identical to the future NIR); OIDs
          1.2.250.1.213.1.4.8 (INS-NIR), .9 (INS-NIA), .10 (INS-NIR test), .11 (INS-NIR démo).
[GK]      General knowledge, cross-checked against public implementations (python-stdnum
          ``fr.nir``, betagouv ``itou`` NIR class): the 2A/2B key substitution, the fictitious
          months 20-42 and 50-99, the temporary sex digits 3/4 and 7/8.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from shared.validation.errors import ValidationFailure

# Spaces (any Unicode whitespace), dots and hyphens are accepted between groups.
_SEPARATORS: Final = re.compile(r"[\s.\-]+")

# [GK] / [SP]: 1 = man, 2 = woman. 3/4 and 7/8 are non-definitive numbers given to people born
# abroad while their registration is in progress (odd = man, even = woman). 5, 6, 9 and 0 are
# refused: they only existed in the 1941 "numéro de Français" and are never issued today.
_DEFINITIVE_SEX_DIGITS: Final = frozenset({1, 2})
_TEMPORARY_SEX_DIGITS: Final = frozenset({3, 4, 7, 8})

# [GK]: 01-12 real month; 20 and 30-42 / 50-99 are "pseudo-months" used by INSEE when the civil
# status document does not give the month (unknown or fictitious month of birth).
# 13-19 and 43-49 are never issued.
_FICTITIOUS_MONTHS: Final = frozenset(range(20, 43)) | frozenset(range(50, 100))

# [SP]: 96 = Tunisia before its independence (1956). Also the only two-digit code besides 99
# that never designated a metropolitan département.
_TUNISIA_BEFORE_1956: Final = "96"
_ABROAD: Final = "99"

# [DSS] + INSEE Code officiel géographique: 971 Guadeloupe, 972 Martinique, 973 Guyane,
# 974 La Réunion, 975 Saint-Pierre-et-Miquelon, 976 Mayotte, and since 2007 977 Saint-Barthélemy
# and 978 Saint-Martin (decision: accepted, their COG codes exist; refusing a real NIR is worse
# than accepting an unlikely one, and the key still catches typing errors).
_OVERSEAS_97_THIRD_DIGITS: Final = frozenset("12345678")

_CORSICA: Final = {"2A": 1_000_000, "2B": 2_000_000}


@dataclass(frozen=True, slots=True)
class Nir:
    """A structurally valid NIR (or NIA / temporary number) whose key has been checked."""

    value: str  # 15 characters, upper case, no separator, e.g. "184127645108946"
    sex_digit: int
    birth_year: int  # last two digits of the year of birth
    birth_month: int  # 1-12, or a fictitious month (20-42, 50-99)
    department: str  # "01".."96", "2A", "2B", "971".."978", "98x" or "99"
    commune_or_country: str  # 3 digits (commune or INSEE country code), 2 digits for 97x/98x
    order: str  # "001".."999"
    key: int  # 1..97
    born_abroad: bool
    is_provisional: bool

    @property
    def sex(self) -> str:
        """Return "M" for odd sex digits (1, 3, 7) and "F" for even ones (2, 4, 8)."""
        return "M" if self.sex_digit % 2 == 1 else "F"

    @property
    def body(self) -> str:
        """The first 13 characters (the NIR proper, without its key)."""
        return self.value[:13]

    @property
    def formatted(self) -> str:
        """Grouped as printed on the Carte Vitale: "1 84 12 76 451 089 46" / "2 99 05 971 12 817 70"."""
        v = self.value
        return " ".join((v[0], v[1:3], v[3:5], self.department, self.commune_or_country, v[10:13], v[13:]))


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text).upper()


def _check_characters(compact: str) -> None:
    # [DECRET]: only the place of birth may hold letters, and in practice only 2A / 2B (Corsica).
    chars = list(compact)
    if len(chars) >= 7 and chars[5] == "2" and chars[6] in ("A", "B"):
        chars[6] = "0"
    if not all("0" <= c <= "9" for c in chars):
        raise ValidationFailure(
            "nir_invalid_characters", "Le NIR ne doit contenir que des chiffres (et 2A/2B pour la Corse)"
        )


def _body_as_int(body: str) -> int:
    # [GK]: for the key, "2A" counts as 19 and "2B" as 18, i.e. the number with the letter
    # replaced by 0, minus 1,000,000 (2A) or 2,000,000 (2B).
    department = body[5:7]
    if department in _CORSICA:
        return int(body[:6] + "0" + body[7:]) - _CORSICA[department]
    return int(body)


def nir_key(first13: str) -> int:
    """The NIR key: 97 - (number mod 97), in 1..97 ("2A"/"2B" accepted, separators ignored)."""
    body = _compact(first13)
    _check_characters(body)
    if len(body) != 13:
        raise ValidationFailure("nir_body_length", "Le NIR sans sa clé doit comporter 13 caractères")
    return 97 - _body_as_int(body) % 97


def _bad_department() -> ValidationFailure:
    return ValidationFailure("nir_department_invalid", "Le département de naissance du NIR est invalide")


def _split_place(compact: str) -> tuple[str, str]:
    """(department, commune_or_country), validating the place of birth."""
    department = compact[5:7]
    if department in ("97", "98"):
        # [DSS]: overseas, the department takes a third digit and the commune keeps two.
        department, commune = compact[5:8], compact[8:10]
        if department[:2] == "97" and department[2] not in _OVERSEAS_97_THIRD_DIGITS:
            raise _bad_department()
        if commune == "00":
            raise ValidationFailure("nir_commune_invalid", "La commune de naissance du NIR est invalide")
        return department, commune
    commune = compact[7:10]
    if department == _ABROAD:
        # [SP]: 99 + INSEE country code (99100 and up; 990 = unknown country is in range).
        if int(commune) < 100:
            raise ValidationFailure("nir_country_invalid", "Le code pays de naissance du NIR est invalide")
        return department, commune
    # [DSS]/[SP]: 01-95 and 2A/2B. Decisions: "20" (Corsica before 1976, the code in force at
    # birth) and "96" (Tunisia before 1956) are accepted; only "00" is impossible.
    if department == "00":
        raise _bad_department()
    if commune == "000":
        raise ValidationFailure("nir_commune_invalid", "La commune de naissance du NIR est invalide")
    return department, commune


def parse_nir(text: str) -> Nir:
    """Parse and fully validate a 15-character NIR (13 + key), with or without separators."""
    compact = _compact(text)
    if not compact:
        raise ValidationFailure("nir_missing", "Le NIR est manquant")
    _check_characters(compact)
    if len(compact) != 15:
        raise ValidationFailure("nir_length", "Le NIR doit comporter 15 caractères (13 + clé)")

    sex_digit = int(compact[0])
    if sex_digit not in _DEFINITIVE_SEX_DIGITS | _TEMPORARY_SEX_DIGITS:
        raise ValidationFailure("nir_sex_invalid", "Le premier chiffre (sexe) du NIR est invalide")
    month = int(compact[3:5])
    if not (1 <= month <= 12 or month in _FICTITIOUS_MONTHS):
        raise ValidationFailure("nir_month_invalid", "Le mois de naissance du NIR est invalide")
    department, commune = _split_place(compact)
    # [DECRET]: order number 001-999.
    order = compact[10:13]
    if order == "000":
        raise ValidationFailure("nir_order_invalid", "Le numéro d'ordre du NIR est invalide")
    key = int(compact[13:])
    if key != nir_key(compact[:13]):
        raise ValidationFailure("nir_key_invalid", "La clé du NIR est invalide")

    return Nir(
        value=compact,
        sex_digit=sex_digit,
        birth_year=int(compact[1:3]),
        birth_month=month,
        department=department,
        commune_or_country=commune,
        order=order,
        key=key,
        born_abroad=department in (_ABROAD, _TUNISIA_BEFORE_1956),
        is_provisional=sex_digit in _TEMPORARY_SEX_DIGITS,
    )


def check_nir_matches_identity(nir: Nir, sex: str, birth_date: datetime.date) -> None:
    """Refuse a NIR that cannot belong to a person of this sex and birth date.

    Typically catches the Carte Vitale number of the insured parent typed for a child.
    ``sex`` is "M", "F" or "U" (unknown: the sex is then not compared). A fictitious month
    (not 01-12) is never compared.
    """
    if sex not in ("M", "F", "U"):
        raise ValidationFailure("sex_invalid", f"Sexe inconnu : « {sex} » (attendu M, F ou U)")
    if sex != "U" and nir.sex != sex:
        raise ValidationFailure("nir_sex_mismatch", "Le NIR ne correspond pas au sexe du patient")
    if nir.birth_year != birth_date.year % 100:
        raise ValidationFailure("nir_birth_year_mismatch", "Le NIR ne correspond pas à l'année de naissance")
    if 1 <= nir.birth_month <= 12 and nir.birth_month != birth_date.month:
        raise ValidationFailure("nir_birth_month_mismatch", "Le NIR ne correspond pas au mois de naissance")


# [ANS]: authorities that assign the matricule INS.
OID_NIR: Final = "1.2.250.1.213.1.4.8"
OID_NIA: Final = "1.2.250.1.213.1.4.9"
OID_TEST: Final = "1.2.250.1.213.1.4.10"
OID_DEMO: Final = "1.2.250.1.213.1.4.11"


class InsOid(StrEnum):
    NIR = OID_NIR
    NIA = OID_NIA
    TEST = OID_TEST
    DEMO = OID_DEMO


def default_oid_for(nir: Nir) -> InsOid:
    """Best guess of the OID when none was received: NIA for temporary numbers, NIR otherwise.

    Only a fallback: [ANS] a NIA usually has exactly the shape of a definitive NIR, so the OID
    returned by the INSi teleservice (or read from the card) must always be preferred.
    """
    return InsOid.NIA if nir.is_provisional else InsOid.NIR


def validate_ins_oid(text: str) -> InsOid:
    """Accept one of the four INS OIDs, optionally written as a "urn:oid:" URI (FHIR)."""
    oid = text.strip()
    if oid.lower().startswith("urn:oid:"):
        oid = oid[len("urn:oid:") :]
    try:
        return InsOid(oid)
    except ValueError:
        raise ValidationFailure("ins_oid_unknown", f"OID INS inconnu : « {text.strip()} »") from None
