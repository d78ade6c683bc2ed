"""The reading procedures against the emulated card in-process (no pcscd): APDUs and results."""

from __future__ import annotations

from typing import Any

import pytest

from cardreader.apdu import Exchange, Response
from cardreader.cards.cps import CpsCard
from cardreader.cards.vitale2 import VitaleCard
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.filesystem import master_file
from cardreader.emulator.profiles import build_profile
from cardreader.errors import CardErrorCode, CardReadError
from cardreader.reading import read_binary, read_card, select_file
from tests.support import card_profiles as profiles


def read(profile: dict[str, Any]) -> tuple[VitaleCard | CpsCard, list[bytes]]:
    card = build_profile(profile).card
    sent: list[bytes] = []

    def transmit(apdu: bytes) -> bytes:
        sent.append(apdu)
        return card.process(apdu)

    return read_card(card.atr, Exchange(transmit)), sent


def test_vitale2_apdu_sequence() -> None:
    content, sent = read(profiles.vitale2(profiles.FAMILY[0]))
    assert isinstance(content, VitaleCard)
    assert [apdu[:4].hex().upper() for apdu in sent] == [
        "00A4040C",  # SELECT VITALE, no answer data
        "00A40204",  # SELECT EF 2001, FCP
        "00C00000",  # GET RESPONSE (61xx)
        "00B00000",  # READ BINARY EF 2001, its exact size
        "00A40204",  # EF 2002
        "00C00000",
        "00B00000",
        "00A40204",  # EF 2004 (beneficiaries)
        "00C00000",
        "00B00000",
    ]


def test_cps_reads_the_certificate_file() -> None:
    content, sent = read(profiles.cps("cps3", "DURAND", "Paul", "810001045367"))
    assert isinstance(content, CpsCard)
    assert content.holder.last_name == "DURAND"
    assert sent[1].hex().upper() == "00A4020402D00100"
    assert len(sent) == 5


@pytest.mark.parametrize(
    ("profile", "code"),
    [
        ({"type": "vitale1"}, CardErrorCode.VITALE1),
        ({"type": "unknown", "atr": "3B 02 14 50"}, CardErrorCode.UNKNOWN_CARD),
    ],
)
def test_cards_that_are_not_read(profile: dict[str, Any], code: CardErrorCode) -> None:
    with pytest.raises(CardReadError) as caught:
        read(profile)
    assert caught.value.code is code


def test_a_vitale2_atr_on_a_card_without_the_application_is_unreadable() -> None:
    card = VirtualCard(build_profile(profiles.vitale2(profiles.FAMILY[0])).card.atr, master_file())
    with pytest.raises(CardReadError) as caught:
        read_card(card.atr, Exchange(card.process))
    assert caught.value.code is CardErrorCode.UNREADABLE
    assert "6A82" in caught.value.detail


class Chunks:
    """A file whose size the card does not tell: READ BINARY until a short answer or 6B00."""

    def __init__(self, size: int) -> None:
        self.data = bytes(i % 251 for i in range(size))
        self.offsets: list[int] = []

    def transmit(self, apdu: bytes) -> Response:
        offset = int.from_bytes(apdu[2:4], "big")
        self.offsets.append(offset)
        if offset >= len(self.data):
            return Response(b"", 0x6B00)
        return Response(self.data[offset : offset + (apdu[4] or 256)], 0x9000)


@pytest.mark.parametrize(("size", "offsets"), [(300, [0, 256]), (512, [0, 256, 512]), (10, [0])])
def test_read_binary_without_a_known_size(size: int, offsets: list[int]) -> None:
    file = Chunks(size)
    assert read_binary(file, None, 256) == file.data
    assert file.offsets == offsets


def test_read_binary_with_a_known_size_reads_exactly() -> None:
    file = Chunks(600)
    assert read_binary(file, 600, 256) == file.data
    assert file.offsets == [0, 256, 512]


def test_a_file_shorter_than_its_announced_size_is_a_broken_read() -> None:
    file = Chunks(300)
    with pytest.raises(CardReadError) as caught:
        read_binary(file, 400, 256)
    assert caught.value.code is CardErrorCode.UNREADABLE
    assert caught.value.detail == "EF ends at 300 of 400 bytes"


def test_read_binary_refuses_an_empty_answer() -> None:
    class Empty:
        def transmit(self, apdu: bytes) -> Response:
            return Response(b"", 0x9000)

    with pytest.raises(CardReadError) as caught:
        read_binary(Empty(), None, 256)
    assert caught.value.code is CardErrorCode.UNREADABLE


def test_a_card_refusing_fcp_is_selected_without_answer_data() -> None:
    class NoFcp:
        def __init__(self) -> None:
            self.p2: list[int] = []

        def transmit(self, apdu: bytes) -> Response:
            self.p2.append(apdu[3])
            return Response(b"", 0x6A86 if apdu[3] == 0x04 else 0x9000)

    card = NoFcp()
    assert select_file(card, 0x2001) is None
    assert card.p2 == [0x04, 0x0C]
