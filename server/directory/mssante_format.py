"""Lines of the MSSanté extraction ``Extraction_Correspondance_MSSante``: columns by header name.

The layout and its sources are in docs/mssante-format.md: 31 ``|``-separated columns, one header
line, the mailbox type and address first. Header spellings vary a little between publications
(« Type Identifiant PP » / « Type d'identifiant PP », « Code postal » / « Code postal structure
BAL »), so columns are found by name, compared without case, accents' variants aside, and
surrounding spaces; only the few this platform uses are required.

What a line becomes:
- a personal box (« PER ») of a person with a valid RPPS or ADELI → an address;
- an organisational or applicative box, or a personal box tied to no national identifier (the
  ANS allows them: their holder is known to an institution only) → skipped, counted, not an error;
- anything malformed (columns missing, an invalid identifier or address) → rejected, with the
  reason in French.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, NamedTuple

from shared.validation import ValidationFailure, validate_adeli, validate_rpps

ZIP_MEMBER_HINT = "Extraction_Correspondance_MSSante"
PERSONAL_BOX = "PER"
NAME_MAX = 100
ADDRESS_MAX = 254

# Each field: the header names it is published under (the first is the documented one).
REQUIRED: Final = {
    "box_type": ("Type de BAL",),
    "address": ("Adresse BAL",),
    "identifier": ("Identifiant PP",),
}
OPTIONAL: Final = {
    "id_type": ("Type Identifiant PP", "Type d'identifiant PP"),
    "national_id": ("Identification nationale PP",),
    "last_name": ("Nom d'exercice",),
    "first_name": ("Prénom d'exercice",),
    "profession_code": ("Code Profession",),
    "dematerialised": ("Dématérialisation",),
}
_ADDRESS = re.compile(r"[^@\s|<>,;]+@[^@\s|<>,;]+\.[^@\s|<>,;]+")
_YES = frozenset({"o", "oui", "y", "yes", "1", "true", "vrai"})


class LineRejected(Exception):
    """A line that cannot be imported; the message says why, in French."""


class LineSkipped(Exception):
    """A line of a box this platform does not use (organisational, applicative, of nobody)."""


def _column_key(name: str) -> str:
    return " ".join(name.strip().casefold().split())


@dataclass(frozen=True)
class MssanteLayout:
    """Where each field is in a line of this file, and whether lines end with a ``|``."""

    width: int
    positions: dict[str, int]

    @classmethod
    def from_header(cls, header: str) -> MssanteLayout:
        names = header.rstrip("\r\n").split("|")
        if names and names[-1] == "":
            names = names[:-1]
        index = {_column_key(n): i for i, n in enumerate(names)}

        def position(labels: tuple[str, ...]) -> int | None:
            return next((index[_column_key(x)] for x in labels if _column_key(x) in index), None)

        missing = [labels[0] for labels in REQUIRED.values() if position(labels) is None]
        if missing:
            raise ValueError(
                "En-tête MSSanté non reconnu : colonne(s) absente(s) "
                + ", ".join(f"« {m} »" for m in missing)
            )
        positions = {
            field: at
            for field, labels in {**REQUIRED, **OPTIONAL}.items()
            if (at := position(labels)) is not None
        }
        return cls(len(names), positions)

    def fields(self, line: str) -> list[str]:
        values = line.rstrip("\r\n").split("|")
        if len(values) == self.width + 1 and values[-1] == "":
            values.pop()  # a closing « | », as in the RPPS files
        if len(values) != self.width:
            raise LineRejected(f"{len(values)} colonnes au lieu de {self.width}")
        return values


class MailboxLine(NamedTuple):
    rpps: str  # the RPPS (11 digits) or ADELI (9 digits) number
    id_type: str  # 8 RPPS, 0 ADELI
    address: str  # lower-cased
    last_name: str | None
    first_name: str | None
    profession_code: str | None
    dematerialised: bool


def _identifier(id_type: str, national_id: str, identifier: str) -> tuple[str, str]:
    """(type digit, number); the type from its column, else from the national id or the length."""
    kind = id_type or (national_id[:1] if national_id else "")
    if not kind:
        kind = "8" if len(identifier) == 11 else "0" if len(identifier) == 9 else ""
    try:
        if kind == "8":
            return kind, validate_rpps(identifier)
        if kind == "0":
            return kind, validate_adeli(identifier)
    except ValidationFailure as failure:
        raise LineRejected(f"identifiant « {identifier} » invalide : {failure.message}") from None
    raise LineRejected(f"type d'identifiant « {kind or id_type} » inconnu (0 ADELI, 8 RPPS)")


class MailboxParser:
    """Turns the lines of one file into personal boxes."""

    def __init__(self, layout: MssanteLayout) -> None:
        self.layout = layout
        # A missing column points one past the line's fields, where an empty value is appended.
        self._at = {f: layout.positions.get(f, layout.width) for f in (*REQUIRED, *OPTIONAL)}

    def parse(self, line: str) -> MailboxLine:
        """The personal box a line describes; LineSkipped or LineRejected otherwise."""
        return _mailbox(self.layout.fields(line), self._at)


def _mailbox(values: list[str], at: dict[str, int]) -> MailboxLine:
    values.append("")  # what an absent optional column reads

    def get(field: str, limit: int) -> str:
        return values[at[field]].strip()[:limit]

    box_type = get("box_type", 10).upper()
    if box_type != PERSONAL_BOX:
        raise LineSkipped(box_type or "?")
    identifier = get("identifier", 20)
    if not identifier:
        raise LineSkipped("PER sans identifiant")
    id_type, number = _identifier(get("id_type", 2), get("national_id", 20), identifier)
    raw_address = values[at["address"]].strip()
    address = raw_address.lower()
    if not address:
        raise LineRejected("adresse BAL manquante")
    if len(address) > ADDRESS_MAX or not _ADDRESS.fullmatch(address):
        raise LineRejected(f"adresse BAL « {raw_address[:80]} » invalide")
    profession = get("profession_code", 2)
    return MailboxLine(
        rpps=number,
        id_type=id_type,
        address=address,
        last_name=get("last_name", NAME_MAX) or None,
        first_name=get("first_name", NAME_MAX) or None,
        profession_code=profession or None,
        dematerialised=get("dematerialised", 10).casefold() in _YES,
    )
