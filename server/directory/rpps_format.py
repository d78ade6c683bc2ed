"""Rows of the RPPS extraction ``PS_LibreAcces_Personne_activite``: columns found by header name.

Two header variants exist (shared/design/rpps-format.md); they differ in a few spellings and in
extra columns, so columns are looked up by name, compared without case and surrounding spaces.
Savoir-faire columns may be absent (the newer variant can move them to another file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NamedTuple

from server.directory.phone_keys import phone_key
from shared.domain import PROFESSIONS
from shared.validation import ValidationFailure, name_compact_key, validate_adeli, validate_rpps
from shared.validation.names import clean_display_name

NAME_KEY_MAX = 100

REQUIRED: Final = {
    "id_type": "Type d'identifiant PP",
    "identifier": "Identifiant PP",
    "last_name": "Nom d'exercice",
    "first_name": "Prénom d'exercice",
    "profession_code": "Code profession",
}
OPTIONAL: Final = {
    "profession": "Libellé profession",
    "skill_type": "Code type savoir-faire",
    "skill_code": "Code savoir-faire",
    "skill": "Libellé savoir-faire",
    "mode_code": "Code mode exercice",
    "site_name": "Raison sociale site",
    "brand": "Enseigne commerciale site",
    "street_number": "Numéro Voie (coord. structure)",
    "street_repeat": "Indice répétition voie (coord. structure)",
    "street_type": "Libellé type de voie (coord. structure)",
    "street": "Libellé Voie (coord. structure)",
    "complement": "Complément point géographique (coord. structure)",
    "postal_code": "Code postal (coord. structure)",
    "commune_insee": "Code commune (coord. structure)",
    "commune": "Libellé commune (coord. structure)",
    "phone": "Téléphone (coord. structure)",
    "phone2": "Téléphone 2 (coord. structure)",
    "email": "Adresse e-mail (coord. structure)",
}
SPECIALTY_TYPE = "S"  # savoir-faire type S: spécialité ordinale (TRE_R38)


class RowRejected(Exception):
    """A line that cannot be imported; the message says why, in French."""


def _column_key(name: str) -> str:
    return " ".join(name.strip().casefold().split())


@dataclass(frozen=True)
class Layout:
    """Where each field is in a line of this file."""

    width: int
    positions: dict[str, int]

    @classmethod
    def from_header(cls, header: str) -> Layout:
        names = header.rstrip("\r\n").split("|")
        if names and names[-1] == "":
            names = names[:-1]
        index = {_column_key(n): i for i, n in enumerate(names)}
        missing = [label for label in REQUIRED.values() if _column_key(label) not in index]
        if missing:
            raise ValueError(
                "En-tête RPPS non reconnu : colonne(s) absente(s) " + ", ".join(f"« {m} »" for m in missing)
            )
        positions = {
            field: index[_column_key(label)]
            for field, label in {**REQUIRED, **OPTIONAL}.items()
            if _column_key(label) in index
        }
        return cls(len(names), positions)

    def fields(self, line: str) -> list[str]:
        body = line.rstrip("\r\n")
        if not body.endswith("|"):
            raise RowRejected("la ligne ne se termine pas par « | » (ligne tronquée ?)")
        values = body[:-1].split("|")
        if len(values) != self.width:
            raise RowRejected(f"{len(values)} colonnes au lieu de {self.width}")
        return values


class Activity(NamedTuple):
    """One parsed line: the person it belongs to and the practice it describes (a named tuple:
    two million of them are built, several times faster than a frozen dataclass)."""

    rpps: str
    id_type: str
    last_name: str
    first_name: str | None
    last_name_key: str
    first_name_key: str
    profession_code: str | None
    profession: str | None
    specialty_code: str | None
    specialty: str | None
    mode_code: str | None
    site_name: str | None
    address: str | None
    postal_code: str | None
    commune_insee: str | None
    commune: str | None
    phone: str | None
    phone2: str | None
    email: str | None


def _identifier(id_type: str, identifier: str) -> str:
    try:
        if id_type == "8":
            return validate_rpps(identifier)
        if id_type == "0":
            return validate_adeli(identifier)
    except ValidationFailure as failure:
        raise RowRejected(f"identifiant « {identifier} » invalide : {failure.message}") from None
    raise RowRejected(f"type d'identifiant « {id_type} » inconnu (0 ADELI, 8 RPPS)")


class RowParser:
    """Turns lines into activities. Names are cleaned and keyed once per distinct spelling (names
    repeat a lot); absent optional columns read as empty."""

    _CACHE_LIMIT: Final = 400_000

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        # A missing column points one past the line's fields, where an empty value is appended.
        self._at = {f: layout.positions.get(f, layout.width) for f in (*REQUIRED, *OPTIONAL)}
        self._names: dict[tuple[str, str], tuple[str, str]] = {}

    def _name(self, raw: str, field: str) -> tuple[str, str]:
        known = self._names.get((raw, field))
        if known is None:
            if len(self._names) > self._CACHE_LIMIT:
                self._names.clear()
            try:
                clean = clean_display_name(raw, field=field)
            except ValidationFailure as failure:
                raise RowRejected(failure.message) from None
            known = self._names[(raw, field)] = (clean, name_compact_key(clean)[:NAME_KEY_MAX])
        return known

    def parse(self, line: str) -> Activity:
        values = self.layout.fields(line)
        values.append("")
        at = self._at

        def get(field: str, limit: int = 200) -> str | None:
            return values[at[field]].strip()[:limit] or None

        id_type = values[at["id_type"]].strip()
        raw_identifier = values[at["identifier"]].strip()
        if not raw_identifier:
            raise RowRejected("identifiant PP manquant")
        rpps = _identifier(id_type, raw_identifier)
        raw_last = values[at["last_name"]]
        if not raw_last.strip():
            raise RowRejected("nom d'exercice manquant")
        last_name, last_key = self._name(raw_last, "Nom d'exercice")
        raw_first = values[at["first_name"]]
        first_name, first_key = (
            self._name(raw_first, "Prénom d'exercice") if raw_first.strip() else (None, "")
        )
        profession_code = get("profession_code", 2)
        if profession_code is None:
            raise RowRejected("code profession manquant")
        is_specialty = values[at["skill_type"]].strip() in ("", SPECIALTY_TYPE)
        street = " ".join(
            p for p in (get("street_number"), get("street_repeat"), get("street_type"), get("street")) if p
        )
        complement = get("complement")
        return Activity(
            rpps=rpps,
            id_type=id_type,
            last_name=last_name,
            first_name=first_name,
            last_name_key=last_key,
            first_name_key=first_key,
            profession_code=profession_code,
            profession=PROFESSIONS.get(profession_code) or get("profession", 100),
            specialty_code=get("skill_code", 8) if is_specialty else None,
            specialty=get("skill", 150) if is_specialty else None,
            mode_code=get("mode_code", 2),
            site_name=get("site_name") or get("brand"),
            address=(f"{street} {complement}" if complement else street)[:300] or None,
            postal_code=get("postal_code", 5),
            commune_insee=get("commune_insee", 5),
            commune=get("commune", 100),
            phone=phone_key(values[at["phone"]]),
            phone2=phone_key(values[at["phone2"]]),
            email=get("email", 254),
        )
