from __future__ import annotations

from cardreader.cards.atr import CardKind
from cardreader.cards.cps import CpsCard, CpsHolder
from cardreader.cards.vitale2 import Beneficiary, VitaleCard
from cardreader.errors import CardErrorCode, CardReadError
from cardreader.events import CardError, CardInserted, CardRead, CardRemoved, ReaderAdded, ReaderRemoved
from cardreader.presentation import content_json, error_json, event_json, event_line

ATR = bytes.fromhex("3B 75 13 00 00 44 09 EA 90 00")
BENEFICIARY = Beneficiary(
    "DURAND", "Zoé", "19750000", None, "FR", "184127645108947", False, "La clé du NIR est invalide"
)
HOLDER = CpsHolder("D'ARTAGNAN", "Jean", "810001045367", "rpps", "10001045367", True, None, "10", "Médecin")


def test_vitale_json_and_lines() -> None:
    card = VitaleCard(ATR, (BENEFICIARY,))
    assert content_json(card)["beneficiaries"][0]["nir_problem"] == "La clé du NIR est invalide"
    assert content_json(card)["card"] == "vitale2"
    line = event_line(CardRead("L", card, 10)).splitlines()[2]
    assert line == (
        "  1. DURAND Zoé, né(e) le 19750000, NIR 184127645108947 (NIR invalide : La clé du NIR est invalide)"
    )


def test_cps_json_and_lines() -> None:
    card = CpsCard(CardKind.CPS3, ATR, HOLDER)
    assert content_json(card)["holder"]["national_id"] == "810001045367"
    assert event_line(CardRead("L", card, 5)).splitlines()[1:] == [
        "carte CPS3 — D'ARTAGNAN Jean",
        "  Médecin, RPPS 10001045367",
    ]


def test_events() -> None:
    assert event_json(ReaderAdded("L")) == {"event": "reader_added", "reader": "L"}
    assert event_json(ReaderRemoved("L")) == {"event": "reader_removed", "reader": "L"}
    assert event_json(CardRemoved("L")) == {"event": "card_removed", "reader": "L"}
    assert event_json(CardInserted("L", ATR, CardKind.VITALE2))["atr"] == "3B 75 13 00 00 44 09 EA 90 00"
    error = CardError(None, CardErrorCode.NO_SERVICE, "Le service de cartes à puce (pcscd) n'est pas démarré")
    assert event_json(error)["error"] == "pcscd_not_running"
    assert event_line(error) == "Erreur : Le service de cartes à puce (pcscd) n'est pas démarré"
    assert event_line(CardInserted("L", ATR, CardKind.CPS4)) == "Carte insérée dans L : carte CPS4"


def test_error_json() -> None:
    assert error_json(CardReadError(CardErrorCode.NO_READER)) == {
        "error": "no_reader",
        "message": "Aucun lecteur de cartes n'est branché",
    }
