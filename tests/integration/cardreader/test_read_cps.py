"""CPS3 and CPS4 holders read through pcscd + vpcd + the emulator."""

from __future__ import annotations

import pytest

from cardreader.cards.atr import CardKind
from cardreader.cards.cps import CpsCard
from cardreader.pcsc import read_once
from tests.support import card_profiles as profiles
from tests.support.pcsc import CardSlots


def _read(slots: CardSlots) -> tuple[CpsCard, int]:
    _, content, count = read_once(slots.daemon.readers[0])
    assert isinstance(content, CpsCard)
    return content, count


@pytest.mark.parametrize(("kind", "expected"), [("cps3", CardKind.CPS3), ("cps4", CardKind.CPS4)])
def test_rpps_holder_with_apostrophe_and_compound_first_name(
    slots: CardSlots, kind: str, expected: CardKind
) -> None:
    slots.insert(profiles.cps(kind, "D'ARTAGNAN", "Jean-Pierre Marie", "810001045367", "10"))
    card, count = _read(slots)
    holder = card.holder
    assert card.kind is expected
    assert (holder.last_name, holder.first_name) == ("D'ARTAGNAN", "Jean-Pierre Marie")
    assert (holder.national_id, holder.id_type, holder.id_number) == ("810001045367", "rpps", "10001045367")
    assert holder.id_valid
    assert (holder.profession_code, holder.profession_label) == ("10", "Médecin")
    # SELECT application, SELECT EF + GET RESPONSE, READ BINARY of a certificate under 512 bytes.
    assert count == 1 + 2 + 2


def test_adeli_holder(slots: CardSlots) -> None:
    slots.insert(profiles.cps("cps3", "L'HÔTE-O'NEIL", "Anne-Sophie", "0751234567", "60"))
    card, _ = _read(slots)
    holder = card.holder
    assert holder.last_name == "L'HÔTE-O'NEIL"
    assert (holder.id_type, holder.id_number, holder.id_valid) == ("adeli", "751234567", True)
    assert (holder.profession_code, holder.profession_label) == ("60", "Infirmier")


def test_rpps_with_a_wrong_check_digit_is_returned_and_flagged(slots: CardSlots) -> None:
    slots.insert(profiles.cps("cps4", "MARTIN", "Luc", "810001045368", "21"))
    card, _ = _read(slots)
    holder = card.holder
    assert holder.national_id == "810001045368"
    assert not holder.id_valid
    assert holder.id_problem == "Numéro RPPS invalide (clé de contrôle)"
