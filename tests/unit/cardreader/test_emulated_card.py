"""The emulator's ISO/IEC 7816-4 behaviour, command by command (no pcscd needed)."""

from __future__ import annotations

import pytest

from cardreader.cards.vitale2 import VITALE_AID
from cardreader.emulator.card import VirtualCard, parse_command
from cardreader.emulator.filesystem import DedicatedFile, ElementaryFile, master_file

DATA = bytes(range(256)) + bytes(range(44))  # 300 bytes


@pytest.fixture
def card() -> VirtualCard:
    mf = master_file()
    app = DedicatedFile(0x2000, VITALE_AID)
    mf.add(app)
    app.add(ElementaryFile(0x2004, DATA, sfi=4))
    app.add(DedicatedFile(0x2100))
    mf.add(ElementaryFile(0x2F00, b"DIR"))
    return VirtualCard(b"\x3b\x00", mf)


def send(card: VirtualCard, hexapdu: str) -> str:
    return card.process(bytes.fromhex(hexapdu)).hex(" ").upper()


def select_app(card: VirtualCard) -> None:
    assert send(card, "00 A4 04 0C 0B " + VITALE_AID.hex()) == "90 00"


def test_select_by_aid_and_unknown_aid(card: VirtualCard) -> None:
    select_app(card)
    assert send(card, "00 A4 04 0C 03 A0 00 01") == "6A 82"


def test_select_with_fcp_answers_61xx_then_get_response(card: VirtualCard) -> None:
    select_app(card)
    assert send(card, "00 A4 02 04 02 20 04 00") == "61 0D"
    assert send(card, "00 C0 00 00 20") == "6C 0D"
    assert send(card, "00 C0 00 00 0D") == "62 0B 80 02 01 2C 82 01 01 83 02 20 04 90 00"
    assert send(card, "00 C0 00 00 0D") == "69 85"


def test_get_response_in_pieces(card: VirtualCard) -> None:
    select_app(card)
    send(card, "00 A4 02 04 02 20 04 00")
    assert send(card, "00 C0 00 00 05") == "62 0B 80 02 01 61 08"
    assert send(card, "00 C0 00 00 08") == "2C 82 01 01 83 02 20 04 90 00"


def test_read_binary_offsets_and_chunks(card: VirtualCard) -> None:
    select_app(card)
    send(card, "00 A4 02 0C 02 20 04")
    assert card.process(bytes.fromhex("00 B0 00 00 00")) == DATA[:256] + b"\x90\x00"
    assert send(card, "00 B0 01 00 00") == "6C 2C"
    assert card.process(bytes.fromhex("00 B0 01 00 2C")) == DATA[256:] + b"\x90\x00"
    assert card.process(bytes.fromhex("00 B0 01 2A 02")) == DATA[298:] + b"\x90\x00"
    assert send(card, "00 B0 01 2C 01") == "6B 00"
    assert send(card, "00 B0 7F 00 01") == "6B 00"


def test_read_binary_by_short_file_identifier(card: VirtualCard) -> None:
    select_app(card)
    assert card.process(bytes.fromhex("00 B0 84 10 04")) == DATA[16:20] + b"\x90\x00"
    # the EF read by SFI becomes the current EF
    assert card.process(bytes.fromhex("00 B0 00 20 02")) == DATA[32:34] + b"\x90\x00"
    assert send(card, "00 B0 85 00 01") == "6A 82"
    assert send(card, "00 B0 A4 00 01") == "6A 86"


def test_status_words_for_bad_commands(card: VirtualCard) -> None:
    assert send(card, "00 B0 00 00 01") == "69 86"  # no current EF
    assert send(card, "00 A4 02 0C 02 20 04") == "6A 82"  # not under the MF
    assert send(card, "00 A4 00 0C 02 2F 00") == "90 00"
    assert send(card, "00 A4 00 0C 02 3F 00") == "90 00"
    assert send(card, "00 A4 00 0C 03 3F 00 00") == "67 00"
    assert send(card, "00 A4 08 0C 02 3F 00") == "6A 86"
    assert send(card, "00 A4 00 0D 02 3F 00") == "6A 86"
    assert send(card, "00 CA 00 00 00") == "6D 00"
    assert send(card, "80 A4 04 0C 02 3F 00") == "6E 00"
    assert send(card, "00 A4 04") == "67 00"
    assert send(card, "00 A4 04 0C 05 01") == "67 00"
    assert send(card, "00 B0 00 00") == "67 00"
    assert send(card, "00 C0 01 00 00") == "6A 86"


def test_child_df_and_ef_selection_rules(card: VirtualCard) -> None:
    select_app(card)
    assert send(card, "00 A4 02 0C 02 21 00") == "6A 82"  # a DF is not an EF
    assert send(card, "00 A4 01 0C 02 20 04") == "6A 82"  # an EF is not a DF
    assert send(card, "00 A4 01 00 02 21 00") == "61 04"
    assert send(card, "00 C0 00 00 04") == "6F 02 84 00 90 00"  # FCI of a DF without a name
    assert send(card, "00 A4 00 0C 02 20 04") == "90 00"  # a sibling of the current DF's children


def test_reset_returns_to_the_mf(card: VirtualCard) -> None:
    select_app(card)
    send(card, "00 A4 02 0C 02 20 04")
    card.reset()
    assert send(card, "00 B0 00 00 01") == "69 86"


@pytest.mark.parametrize(
    ("hexapdu", "expected"),
    [
        ("00 B0 00 00", (None, b"")),
        ("00 B0 00 00 00", (256, b"")),
        ("00 A4 04 0C 02 3F 00", (None, b"\x3f\x00")),
        ("00 A4 04 00 02 3F 00 00", (256, b"\x3f\x00")),
    ],
)
def test_parse_command_cases(hexapdu: str, expected: tuple[int | None, bytes]) -> None:
    command = parse_command(bytes.fromhex(hexapdu))
    assert command is not None
    assert (command.le, command.data) == expected


def test_fcp_without_size(card: VirtualCard) -> None:
    card.fcp_size = False
    select_app(card)
    assert send(card, "00 A4 02 04 02 20 04 00") == "61 09"
    assert send(card, "00 C0 00 00 09") == "62 07 82 01 01 83 02 20 04 90 00"
