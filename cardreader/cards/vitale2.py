"""Carte Vitale 2: application, file map (EF 2001) and beneficiary templates.

Source for every layout fact below: [CARDPEEK] cardpeek (L1L1), ``dot_cardpeek_dir/scripts/
vitale_2.lua``, the public reading script for Vitale 2 cards, as summarised in
shared/design/architecture.md « Card facts ».
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cardreader.cards.atr import CardKind
from cardreader.cards.tlv import Tlv, parse_tlv
from cardreader.errors import CardDataError
from shared.validation import ValidationFailure, parse_nir

# [CARDPEEK] AID_VITALE: the application holding the beneficiaries.
VITALE_AID = bytes.fromhex("D2 50 00 00 02 56 49 54 41 4C 45")
# [CARDPEEK] AID_VITALE_MF: the card's "MF" application (DIR 2F00, PAN 2F02), not read here.
VITALE_MF_AID = bytes.fromhex("D2 50 00 00 02 4D 46 5F 56 49 54 41 4C 45")
# [CARDPEEK] create_card_map(): after selecting VITALE, EF 2001 lists the applications and files.
FILE_MAP_FID = 0x2001
# [CARDPEEK] read_bin(): READ BINARY in 256-byte chunks until a shorter answer.
READ_CHUNK = 256

# [CARDPEEK] create_card_map(): E0 { A0 { 82 … } 80 … }
_MAP_TAG = 0xE0
_APPLICATIONS_TAG = 0xA0
_APPLICATION_TAG = 0x82  # value: entry (2 bytes), 2 bytes not interpreted, then the AID
_FILE_TAG = 0x80  # value: name (8 printable bytes), entry (2 bytes), FID (2 bytes)
_APPLICATION_AID_OFFSET = 4
_FILE_NAME_LENGTH = 8
_FILE_ENTRY_END = 10
_FILE_FID_END = 12

# [CARDPEEK] VITALE_IDO: '65' Bénéficiaire, '65/80' Nom, '65/81' Prénom, '65/82' Date de naissance
# (ASCII AAAAMMJJ, ui_parse_asciidate), '65/90' Nationalité, '65/93' Numéro de sécurité sociale.
BENEFICIARY_TAG = 0x65
LAST_NAME_TAG = 0x80
FIRST_NAME_TAG = 0x81
BIRTH_DATE_TAG = 0x82
NATIONALITY_TAG = 0x90
NIR_TAG = 0x93
# Decision: text is decoded as ISO-8859-1 (one byte per character, never fails); cards print
# names in capitals without accents, but an accented byte must not make the card unreadable.
TEXT_ENCODING = "latin-1"


@dataclass(frozen=True, slots=True)
class MappedFile:
    name: str
    fid: int


@dataclass(frozen=True, slots=True)
class MappedApplication:
    entry: int
    aid: bytes
    files: tuple[MappedFile, ...]


@dataclass(frozen=True, slots=True)
class FileMap:
    applications: tuple[MappedApplication, ...]

    def files_of(self, aid: bytes) -> tuple[MappedFile, ...]:
        """The files of one application, in map order (EF 2001 itself excluded)."""
        return tuple(
            file
            for application in self.applications
            if application.aid == aid
            for file in application.files
            if file.fid != FILE_MAP_FID
        )


@dataclass(frozen=True, slots=True)
class Beneficiary:
    last_name: str
    first_name: str
    birth_date: str  # as on the card, AAAAMMJJ (may be a "lunar" date such as 19750000)
    birth_date_iso: str | None  # YYYY-MM-DD when the card's date is a real calendar date
    nationality: str
    nir: str  # exactly as read, never corrected
    nir_valid: bool
    nir_problem: str | None  # French reason when the NIR is invalid


@dataclass(frozen=True, slots=True)
class VitaleCard:
    atr: bytes
    beneficiaries: tuple[Beneficiary, ...]  # in card order

    @property
    def kind(self) -> CardKind:
        return CardKind.VITALE2


def parse_file_map(data: bytes) -> FileMap:
    objects = parse_tlv(data)
    if not objects or objects[0].tag != _MAP_TAG or objects[0].children is None:
        raise CardDataError("EF 2001: no E0 template")
    top = objects[0]
    applications: dict[int, tuple[bytes, list[MappedFile]]] = {}
    for child in top.children or ():
        if child.tag == _APPLICATIONS_TAG:
            for entry_object in child.find_all(_APPLICATION_TAG):
                value = entry_object.value
                if len(value) <= _APPLICATION_AID_OFFSET:
                    raise CardDataError("EF 2001: application entry too short")
                entry = int.from_bytes(value[:2], "big")
                applications[entry] = (value[_APPLICATION_AID_OFFSET:], [])
        elif child.tag == _FILE_TAG:
            value = child.value
            if len(value) < _FILE_FID_END:
                raise CardDataError("EF 2001: file entry too short")
            entry = int.from_bytes(value[_FILE_NAME_LENGTH:_FILE_ENTRY_END], "big")
            if entry not in applications:
                raise CardDataError(f"EF 2001: file refers to unknown application {entry}")
            name = value[:_FILE_NAME_LENGTH].decode(TEXT_ENCODING).strip()
            fid = int.from_bytes(value[_FILE_ENTRY_END:_FILE_FID_END], "big")
            applications[entry][1].append(MappedFile(name, fid))
    return FileMap(
        tuple(MappedApplication(entry, aid, tuple(files)) for entry, (aid, files) in applications.items())
    )


def _text(template: Tlv, tag: int) -> str:
    found = template.first(tag)
    if found is None:
        return ""
    return found.value.decode(TEXT_ENCODING).rstrip(" \x00")


def _iso_date(text: str) -> str | None:
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        return None
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return None


def _beneficiary(template: Tlv) -> Beneficiary:
    if template.children is None:
        raise CardDataError("beneficiary template is not constructed")
    last_name = _text(template, LAST_NAME_TAG).strip()
    nir = _text(template, NIR_TAG).strip()
    if not last_name or not nir:
        raise CardDataError("beneficiary template without name or NIR")
    birth_date = _text(template, BIRTH_DATE_TAG).strip()
    try:
        parse_nir(nir)
        nir_valid, problem = True, None
    except ValidationFailure as failure:
        nir_valid, problem = False, failure.message
    return Beneficiary(
        last_name=last_name,
        first_name=_text(template, FIRST_NAME_TAG).strip(),
        birth_date=birth_date,
        birth_date_iso=_iso_date(birth_date),
        nationality=_text(template, NATIONALITY_TAG).strip(),
        nir=nir,
        nir_valid=nir_valid,
        nir_problem=problem,
    )


def holds_tlv(data: bytes) -> bool:
    """[CARDPEEK]: content starting with 00, or with 04 00, is raw data, not BER-TLV."""
    return bool(data) and data[0] != 0x00 and not data.startswith(b"\x04\x00")


def parse_beneficiaries(data: bytes) -> tuple[Beneficiary, ...]:
    """Every top-level ``65`` template of one file's content, in order (none: empty tuple)."""
    if not holds_tlv(data):
        return ()
    return tuple(_beneficiary(obj) for obj in parse_tlv(data) if obj.tag == BENEFICIARY_TAG)
