"""Cards and events as JSON-ready dicts and as French lines (for the CLI and the logs)."""

from __future__ import annotations

import dataclasses
from typing import Any

from cardreader.cards.atr import CardKind, format_atr
from cardreader.cards.vitale2 import Beneficiary, VitaleCard
from cardreader.errors import CardReadError
from cardreader.events import (
    CardError,
    CardEvent,
    CardInserted,
    CardRead,
    CardRemoved,
    ReaderAdded,
    ReaderRemoved,
)
from cardreader.reading import CardContent

KIND_LABELS = {
    CardKind.VITALE2: "Carte Vitale 2",
    CardKind.VITALE1: "Carte Vitale 1",
    CardKind.CPS3: "carte CPS3",
    CardKind.CPS4: "carte CPS4",
    CardKind.UNKNOWN: "carte inconnue",
}


def content_json(content: CardContent) -> dict[str, Any]:
    if isinstance(content, VitaleCard):
        return {
            "card": content.kind.value,
            "atr": format_atr(content.atr),
            "beneficiaries": [dataclasses.asdict(b) for b in content.beneficiaries],
        }
    return {
        "card": content.kind.value,
        "atr": format_atr(content.atr),
        "holder": dataclasses.asdict(content.holder),
    }


def error_json(error: CardReadError) -> dict[str, str]:
    return {"error": error.code.value, "message": error.message}


def _french_date(beneficiary: Beneficiary) -> str:
    iso = beneficiary.birth_date_iso
    if iso is None:
        return beneficiary.birth_date or "inconnue"
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def content_lines(content: CardContent) -> list[str]:
    if isinstance(content, VitaleCard):
        lines = [f"{KIND_LABELS[content.kind]} — {len(content.beneficiaries)} bénéficiaire(s)"]
        for number, b in enumerate(content.beneficiaries, start=1):
            nir = b.nir if b.nir_valid else f"{b.nir} (NIR invalide : {b.nir_problem})"
            lines.append(f"  {number}. {b.last_name} {b.first_name}, né(e) le {_french_date(b)}, NIR {nir}")
        return lines
    holder = content.holder
    identifier = (holder.id_type or "identifiant").upper() + f" {holder.id_number}"
    if not holder.id_valid:
        identifier += f" (invalide : {holder.id_problem})"
    return [
        f"{KIND_LABELS[content.kind]} — {holder.last_name} {holder.first_name}",
        f"  {holder.profession_label}, {identifier}",
    ]


def event_json(event: CardEvent) -> dict[str, Any]:
    if isinstance(event, ReaderAdded):
        return {"event": "reader_added", "reader": event.reader}
    if isinstance(event, ReaderRemoved):
        return {"event": "reader_removed", "reader": event.reader}
    if isinstance(event, CardInserted):
        return {
            "event": "card_inserted",
            "reader": event.reader,
            "atr": format_atr(event.atr),
            "card": event.kind.value,
        }
    if isinstance(event, CardRemoved):
        return {"event": "card_removed", "reader": event.reader}
    if isinstance(event, CardRead):
        return {
            "event": "card_read",
            "reader": event.reader,
            "apdu_count": event.apdu_count,
            **content_json(event.content),
        }
    return {
        "event": "card_error",
        "reader": event.reader,
        "error": event.code.value,
        "message": event.message,
    }


def event_line(event: CardEvent) -> str:
    if isinstance(event, ReaderAdded):
        return f"Lecteur branché : {event.reader}"
    if isinstance(event, ReaderRemoved):
        return f"Lecteur retiré : {event.reader}"
    if isinstance(event, CardInserted):
        return f"Carte insérée dans {event.reader} : {KIND_LABELS[event.kind]}"
    if isinstance(event, CardRemoved):
        return f"Carte retirée de {event.reader}"
    if isinstance(event, CardRead):
        return "\n".join([f"Carte lue dans {event.reader} :", *content_lines(event.content)])
    assert isinstance(event, CardError)
    where = f" ({event.reader})" if event.reader else ""
    return f"Erreur{where} : {event.message}"
