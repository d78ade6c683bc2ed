from __future__ import annotations

import pytest

from cardreader.cards.atr import (
    CPS3_ATR,
    CPS4_ATR,
    VITALE1_ATR,
    VITALE2_ATR,
    CardKind,
    classify_atr,
    format_atr,
)


@pytest.mark.parametrize(
    ("hexatr", "kind"),
    [
        ("3B 75 13 00 00 43 09 EA 90 00", CardKind.VITALE2),
        ("3B 75 13 00 00 45 09 EA 90 00", CardKind.VITALE2),
        ("3B 75 13 00 00 44 09 EA 90 01", CardKind.UNKNOWN),
        ("3B 75 13 00 00 44 09 EA 90", CardKind.UNKNOWN),
        ("3F 65 25 00 2C 09 69 90 00", CardKind.VITALE1),
        ("3F 65 25 08 33 04 20 90 00", CardKind.VITALE1),
        ("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00", CardKind.CPS3),
        # the CPS3 mask leaves bytes 2-5 and 12-14 free
        ("3B 11 22 33 44 00 12 25 00 64 80 AA BB CC 00 90 00", CardKind.CPS3),
        ("3B AC 00 40 2A 00 12 25 00 64 81 00 03 10 00 90 00", CardKind.UNKNOWN),
        ("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44", CardKind.CPS4),
        ("3B 9B 18 80 01 00 12 25 00 64 80 00 04 01 00 90 44", CardKind.CPS4),
        ("3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00", CardKind.CPS4),
        ("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 45", CardKind.UNKNOWN),
        ("", CardKind.UNKNOWN),
    ],
)
def test_classification(hexatr: str, kind: CardKind) -> None:
    assert classify_atr(bytes.fromhex(hexatr)) is kind


def test_example_atrs_are_classified_as_their_kind() -> None:
    assert [classify_atr(a) for a in (VITALE2_ATR, VITALE1_ATR, CPS3_ATR, CPS4_ATR)] == [
        CardKind.VITALE2,
        CardKind.VITALE1,
        CardKind.CPS3,
        CardKind.CPS4,
    ]


def test_format() -> None:
    assert format_atr(bytes.fromhex("3b7513")) == "3B 75 13"
