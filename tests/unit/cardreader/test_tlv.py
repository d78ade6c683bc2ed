from __future__ import annotations

import pytest

from cardreader.cards.tlv import Tlv, encode_tlv, parse_tlv
from cardreader.errors import CardDataError


def test_primitive_and_constructed_objects() -> None:
    data = bytes.fromhex("65 08 80 03 41 42 43 81 01 44") + bytes.fromhex("90 02 46 52")
    first, second = parse_tlv(data)
    assert first.tag == 0x65
    assert first.constructed
    assert first.children == (Tlv(0x80, b"ABC", None), Tlv(0x81, b"D", None))
    assert first.first(0x81) == Tlv(0x81, b"D", None)
    assert first.first(0x82) is None
    assert second == Tlv(0x90, b"FR", None)


def test_multi_byte_tags_and_long_lengths() -> None:
    value = bytes(300)
    data = bytes.fromhex("5F 37 82 01 2C") + value + bytes.fromhex("7F 21 00")
    signature, certificate = parse_tlv(data)
    assert (signature.tag, signature.value) == (0x5F37, value)
    assert (certificate.tag, certificate.children) == (0x7F21, ())


def test_padding_between_objects_is_skipped() -> None:
    assert parse_tlv(bytes.fromhex("00 FF 80 01 41 00 00")) == (Tlv(0x80, b"A", None),)


@pytest.mark.parametrize(
    "hexdata",
    [
        "80 05 41",  # value overruns
        "80",  # no length
        "80 80",  # indefinite length
        "80 85 00 00 00 00 01",  # five length bytes
        "80 82 01",  # length truncated
        "1F",  # multi-byte tag truncated
        "1F 81 82 83 84 05",  # tag too long
    ],
)
def test_malformed_data_raises_the_documented_error(hexdata: str) -> None:
    with pytest.raises(CardDataError):
        parse_tlv(bytes.fromhex(hexdata))


def test_nesting_is_bounded() -> None:
    data = b""
    for _ in range(20):
        data = encode_tlv(0x65, data)
    with pytest.raises(CardDataError) as caught:
        parse_tlv(data)
    assert "nesting" in caught.value.detail


@pytest.mark.parametrize("size", [0, 1, 127, 128, 255, 256, 70000])
def test_encode_then_parse_round_trip(size: int) -> None:
    value = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    assert parse_tlv(encode_tlv(0x5F37, value)) == (Tlv(0x5F37, value, None),)
