"""Real-world failures, each answered with its documented error and never a partial identity."""

from __future__ import annotations

import pytest

from cardreader.errors import CardErrorCode, CardReadError
from cardreader.pcsc import read_once
from tests.support import card_profiles as profiles
from tests.support.pcsc import CardSlots


def _error(slots: CardSlots, reader: str | None = None) -> CardReadError:
    with pytest.raises(CardReadError) as caught:
        read_once(reader if reader is not None else slots.daemon.readers[0])
    return caught.value


@pytest.mark.parametrize("after", [0, 3, 9])
def test_card_pulled_during_the_read(slots: CardSlots, after: int) -> None:
    slots.insert(profiles.vitale2(*profiles.FAMILY, fault={"kind": "pull", "after": after}))
    error = _error(slots)
    assert error.code is CardErrorCode.CARD_REMOVED
    assert error.message == "La carte a été retirée pendant la lecture : réinsérez-la"


def test_mute_card_upside_down(slots: CardSlots) -> None:
    slots.insert(profiles.vitale2(profiles.FAMILY[0], fault={"kind": "mute"}))
    error = _error(slots)
    assert error.code is CardErrorCode.MUTE_CARD
    assert "dans le bon sens" in error.message


@pytest.mark.parametrize("after", [0, 4])
def test_garbage_answers(slots: CardSlots, after: int) -> None:
    slots.insert(profiles.vitale2(profiles.FAMILY[0], fault={"kind": "garbage", "after": after}))
    assert _error(slots).code is CardErrorCode.UNREADABLE


@pytest.mark.parametrize("after", [0, 2, 4])
def test_6f00_answers(slots: CardSlots, after: int) -> None:
    slots.insert(
        profiles.cps("cps3", "DURAND", "Paul", "810001045367") | {"fault": {"kind": "sw6f00", "after": after}}
    )
    assert _error(slots).code is CardErrorCode.UNREADABLE


def test_vitale1_is_recognised_and_refused_clearly(slots: CardSlots) -> None:
    slots.insert({"type": "vitale1"})
    error = _error(slots)
    assert error.code is CardErrorCode.VITALE1
    assert str(error) == "Carte Vitale 1 : lecture non prise en charge, saisissez l'identité"


def test_unknown_card(slots: CardSlots) -> None:
    slots.insert({"type": "unknown", "atr": "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A"})
    assert _error(slots).code is CardErrorCode.UNKNOWN_CARD


def test_no_card(slots: CardSlots) -> None:
    assert _error(slots).code is CardErrorCode.NO_CARD
    assert _error(slots, reader=None).code is CardErrorCode.NO_CARD


def test_unknown_reader_name(slots: CardSlots) -> None:
    assert _error(slots, reader="Lecteur imaginaire 00 00").code is CardErrorCode.READER_NOT_FOUND
