from __future__ import annotations

import pytest

from cardreader.apdu import Exchange, Response, command, split_response, with_le
from cardreader.errors import CardErrorCode, CardReadError


def test_command_cases() -> None:
    assert command(0, 0xB0, 1, 2) == bytes.fromhex("00 B0 01 02")
    assert command(0, 0xB0, 1, 2, le=256) == bytes.fromhex("00 B0 01 02 00")
    assert command(0, 0xA4, 4, 0x0C, b"\xd2\x50") == bytes.fromhex("00 A4 04 0C 02 D2 50")
    assert command(0, 0xA4, 2, 4, b"\x20\x01", le=0x10) == bytes.fromhex("00 A4 02 04 02 20 01 10")
    with pytest.raises(ValueError, match="Le"):
        command(0, 0xB0, 0, 0, le=257)
    with pytest.raises(ValueError, match="255"):
        command(0, 0xD6, 0, 0, bytes(256))


def test_with_le_replaces_or_adds_it() -> None:
    assert with_le(bytes.fromhex("00 B0 00 00 00"), 0x23) == bytes.fromhex("00 B0 00 00 23")
    assert with_le(bytes.fromhex("00 B0 00 00"), 0x23) == bytes.fromhex("00 B0 00 00 23")
    assert with_le(bytes.fromhex("00 A4 02 04 02 20 01"), 5) == bytes.fromhex("00 A4 02 04 02 20 01 05")
    assert with_le(bytes.fromhex("00 A4 02 04 02 20 01 00"), 5) == bytes.fromhex("00 A4 02 04 02 20 01 05")


def test_split_response() -> None:
    assert split_response(b"AB\x90\x00") == Response(b"AB", 0x9000)
    with pytest.raises(CardReadError) as caught:
        split_response(b"\x90")
    assert caught.value.code is CardErrorCode.UNREADABLE


class ScriptedCard:
    """Answers a fixed script and records every command it received."""

    def __init__(self, *answers: str) -> None:
        self.answers = [bytes.fromhex(a) for a in answers]
        self.received: list[bytes] = []

    def __call__(self, apdu: bytes) -> bytes:
        self.received.append(apdu)
        return self.answers.pop(0)


def test_61xx_is_followed_by_get_response_until_done() -> None:
    card = ScriptedCard("61 03", "01 02 03 61 02", "04 05 90 00")
    exchange = Exchange(card)
    assert exchange.transmit(bytes.fromhex("00 A4 02 04 02 20 01 00")) == Response(bytes(range(1, 6)), 0x9000)
    assert card.received[1:] == [bytes.fromhex("00 C0 00 00 03"), bytes.fromhex("00 C0 00 00 02")]
    assert exchange.count == 3


def test_6cxx_resends_with_the_exact_length() -> None:
    card = ScriptedCard("6C 11", "AA" * 0x11 + "90 00")
    exchange = Exchange(card)
    response = exchange.transmit(bytes.fromhex("00 B0 00 00 00"))
    assert response == Response(b"\xaa" * 0x11, 0x9000)
    assert card.received[1] == bytes.fromhex("00 B0 00 00 11")
    assert exchange.count == 2


def test_errors_pass_through_unchanged() -> None:
    assert Exchange(ScriptedCard("6A 82")).transmit(b"\x00\xa4\x00\x00") == Response(b"", 0x6A82)


def test_a_card_looping_on_61xx_is_unreadable() -> None:
    exchange = Exchange(lambda _apdu: b"\x00\x61\x01")
    with pytest.raises(CardReadError) as caught:
        exchange.transmit(b"\x00\xa4\x00\x00")
    assert caught.value.code is CardErrorCode.UNREADABLE
    assert exchange.count == 65
