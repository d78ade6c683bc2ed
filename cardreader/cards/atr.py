"""Which card is in the reader, from its Answer To Reset alone.

Sources:
[CARDPEEK]  cardpeek (L1L1), smartcard_list / vitale_2.lua, and the ATR list of Ludovic
            Rousseau (pcsc-tools smartcard_list.txt): Vitale 2 = 3B 75 13 00 00 xx 09 EA 90 00
            (xx = card version, 43/44/45 seen); Vitale 1 ATRs start with 3F 65 25.
[ANS-CPS]   ANS (ex-ASIP Santé) CryptolibCPS, card-cps.c (public LGPL source): CPS3 contact ATR
            3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00 compared under the mask
            FF 00 00 00 00 FF FF FF FF FF FF 00 00 00 FF FF FF; CPS4 contact ATRs compared exactly:
            3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44 (CPS4),
            3B 9B 18 80 01 00 12 25 00 64 80 00 04 01 00 90 44 (CPS4 release candidate),
            3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00 (CPS4, T=0 only).
"""

from __future__ import annotations

from enum import StrEnum


class CardKind(StrEnum):
    VITALE2 = "vitale2"
    VITALE1 = "vitale1"
    CPS3 = "cps3"
    CPS4 = "cps4"
    UNKNOWN = "unknown"


# [CARDPEEK]: byte 5 (card version) is free, the rest is fixed.
_VITALE2_PREFIX = bytes.fromhex("3B 75 13 00 00")
_VITALE2_SUFFIX = bytes.fromhex("09 EA 90 00")
# [CARDPEEK]
_VITALE1_PREFIX = bytes.fromhex("3F 65 25")
# [ANS-CPS]
_CPS3_ATR = bytes.fromhex("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00")
_CPS3_MASK = bytes.fromhex("FF 00 00 00 00 FF FF FF FF FF FF 00 00 00 FF FF FF")
_CPS4_ATR = bytes.fromhex("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44")
_CPS4_ATRS = frozenset(
    (
        _CPS4_ATR,
        bytes.fromhex("3B 9B 18 80 01 00 12 25 00 64 80 00 04 01 00 90 44"),
        bytes.fromhex("3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00"),
    )
)

# Example ATRs, one per kind (the emulator presents them; tests use them).
VITALE2_ATR = bytes.fromhex("3B 75 13 00 00 44 09 EA 90 00")
VITALE1_ATR = bytes.fromhex("3F 65 25 00 2C 09 69 90 00")
CPS3_ATR = _CPS3_ATR
CPS4_ATR = _CPS4_ATR


def _matches_masked(atr: bytes, reference: bytes, mask: bytes) -> bool:
    if len(atr) != len(reference):
        return False
    return all((a & m) == (r & m) for a, r, m in zip(atr, reference, mask, strict=True))


def classify_atr(atr: bytes) -> CardKind:
    vitale2_length = len(_VITALE2_PREFIX) + 1 + len(_VITALE2_SUFFIX)
    if len(atr) == vitale2_length and atr.startswith(_VITALE2_PREFIX) and atr.endswith(_VITALE2_SUFFIX):
        return CardKind.VITALE2
    if atr.startswith(_VITALE1_PREFIX):
        return CardKind.VITALE1
    # CPS4 first: the T=0-only CPS4 ATR also fits the CPS3 mask (only bytes 1-4 and 11-13 differ).
    if atr in _CPS4_ATRS:
        return CardKind.CPS4
    if _matches_masked(atr, _CPS3_ATR, _CPS3_MASK):
        return CardKind.CPS3
    return CardKind.UNKNOWN


def format_atr(atr: bytes) -> str:
    """ "3B 75 13 00 00 44 09 EA 90 00"."""
    return atr.hex(" ").upper()
