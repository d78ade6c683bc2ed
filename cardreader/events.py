"""Typed card events, free of Qt and pyscard: what the desktop receives from the card reader."""

from __future__ import annotations

from dataclasses import dataclass

from cardreader.cards.atr import CardKind
from cardreader.errors import MESSAGES, CardErrorCode
from cardreader.reading import CardContent


@dataclass(frozen=True, slots=True)
class ReaderAdded:
    reader: str


@dataclass(frozen=True, slots=True)
class ReaderRemoved:
    reader: str


@dataclass(frozen=True, slots=True)
class CardInserted:
    reader: str
    atr: bytes
    kind: CardKind


@dataclass(frozen=True, slots=True)
class CardRemoved:
    reader: str


@dataclass(frozen=True, slots=True)
class CardRead:
    reader: str
    content: CardContent
    apdu_count: int


@dataclass(frozen=True, slots=True)
class CardError:
    reader: str | None  # None when no reader is concerned (pcscd stopped)
    code: CardErrorCode
    message: str  # French, for the user


def card_error(reader: str | None, code: CardErrorCode) -> CardError:
    """The error event of ``code``, with its French message."""
    return CardError(reader, code, MESSAGES[code])


CardEvent = ReaderAdded | ReaderRemoved | CardInserted | CardRemoved | CardRead | CardError
