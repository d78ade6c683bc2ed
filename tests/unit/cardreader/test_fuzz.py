"""Hypothesis: random and mutated card data never raise anything but the documented card errors."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardreader.apdu import Exchange
from cardreader.cards.cps import parse_holder
from cardreader.cards.tlv import parse_tlv
from cardreader.cards.vitale2 import VITALE_AID, VitaleCard, parse_beneficiaries, parse_file_map
from cardreader.emulator.filesystem import ElementaryFile
from cardreader.emulator.profiles import build_profile, holder_certificate
from cardreader.errors import CardReadError
from cardreader.reading import read_card
from tests.support import card_profiles as profiles

# Fuzzed certificates may carry a zero serial number, which cryptography only warns about.
pytestmark = pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VITALE = build_profile(profiles.vitale2(*profiles.FAMILY, profiles.CORSICAN)).card
_APP = VITALE.mf.find_aid(VITALE_AID)
assert _APP is not None
VALID_FILES = {
    ef.fid: ef.data for ef in _APP.children if isinstance(ef, ElementaryFile)
}  # 2001 map, 2002 validity, 2004 beneficiaries
CERTIFICATE = holder_certificate(
    {
        "last_name": "D'ARTAGNAN",
        "first_name": "Jean-Pierre",
        "national_id": "810001045367",
        "profession_code": "10",
    }
)
PARSERS: list[Callable[[bytes], object]] = [parse_tlv, parse_file_map, parse_beneficiaries, parse_holder]


def only_card_errors(parser: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(CardReadError):
        parser(data)


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[position:]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[position : position + draw(st.integers(1, 8))]
    return bytes(data)


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(PARSERS))
def test_random_bytes(data: bytes, parser: Callable[[bytes], object]) -> None:
    only_card_errors(parser, data)


@FUZZ
@given(st.sampled_from(sorted(VALID_FILES)).flatmap(lambda fid: mutated(VALID_FILES[fid])))
def test_mutated_vitale_files(data: bytes) -> None:
    for parser in (parse_file_map, parse_beneficiaries):
        only_card_errors(parser, data)


@FUZZ
@given(mutated(CERTIFICATE))
def test_mutated_certificates(data: bytes) -> None:
    only_card_errors(parse_holder, data)


@FUZZ
@given(st.integers(0, len(CERTIFICATE) - 1), st.integers(0, 255))
def test_every_byte_of_a_certificate_changed(position: int, value: int) -> None:
    only_card_errors(parse_holder, CERTIFICATE[:position] + bytes([value]) + CERTIFICATE[position + 1 :])


@FUZZ
@given(st.sampled_from(sorted(VALID_FILES)), st.data())
def test_whole_read_of_a_card_with_a_mutated_file(fid: int, data: st.DataObject) -> None:
    card = build_profile(profiles.vitale2(*profiles.FAMILY)).card
    app = card.mf.find_aid(VITALE_AID)
    assert app is not None
    ef = app.child_by_fid(fid)
    assert isinstance(ef, ElementaryFile)
    ef.data = data.draw(mutated(ef.data))
    try:
        result = read_card(card.atr, Exchange(card.process))
    except CardReadError:
        return
    assert isinstance(result, VitaleCard)
    assert result.beneficiaries  # a read that succeeds always has beneficiaries


@FUZZ
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=40))
def test_a_card_answering_random_bytes(answers: list[bytes]) -> None:
    replies = iter(answers)

    def transmit(_apdu: bytes) -> bytes:
        return next(replies, b"\x6f\x00")

    for atr in (VITALE.atr, build_profile(profiles.cps("cps4", "A", "B", "810001045367")).card.atr):
        with contextlib.suppress(CardReadError):
            read_card(atr, Exchange(transmit))
