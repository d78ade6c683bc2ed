from __future__ import annotations

import pytest

from cardreader.cards.tlv import encode_tlv
from cardreader.cards.vitale2 import (
    VITALE_AID,
    VITALE_MF_AID,
    FileMap,
    MappedApplication,
    MappedFile,
    parse_beneficiaries,
    parse_file_map,
)
from cardreader.errors import CardDataError
from tests.support import card_profiles as profiles


def _template(**fields: bytes) -> bytes:
    tags = {"last": 0x80, "first": 0x81, "birth": 0x82, "nationality": 0x90, "nir": 0x93}
    return encode_tlv(0x65, b"".join(encode_tlv(tags[k], v) for k, v in fields.items()))


def test_file_map_as_cardpeek_reads_it() -> None:
    data = encode_tlv(
        0xE0,
        encode_tlv(
            0xA0,
            encode_tlv(0x82, b"\x00\x01\x00\x00" + VITALE_MF_AID)
            + encode_tlv(0x82, b"\x00\x02\xab\xcd" + VITALE_AID),
        )
        + encode_tlv(0x80, b"DIR     \x00\x01\x2f\x00")
        + encode_tlv(0x80, b"BENEFS  \x00\x02\x20\x04")
        + encode_tlv(0x80, b"POINTERS\x00\x02\x20\x01"),
    )
    file_map = parse_file_map(data)
    assert file_map == FileMap(
        (
            MappedApplication(1, VITALE_MF_AID, (MappedFile("DIR", 0x2F00),)),
            MappedApplication(2, VITALE_AID, (MappedFile("BENEFS", 0x2004), MappedFile("POINTERS", 0x2001))),
        )
    )
    assert file_map.files_of(VITALE_AID) == (MappedFile("BENEFS", 0x2004),)


@pytest.mark.parametrize(
    "data",
    [
        encode_tlv(0x66, b""),  # not E0
        encode_tlv(0xE0, encode_tlv(0xA0, encode_tlv(0x82, b"\x00\x01\x00"))),  # entry without AID
        encode_tlv(0xE0, encode_tlv(0x80, b"BENEFS  \x00\x02\x20\x04")),  # unknown application
        encode_tlv(0xE0, encode_tlv(0xA0, b"") + encode_tlv(0x80, b"SHORT")),  # file entry too short
        b"",
    ],
)
def test_malformed_file_maps(data: bytes) -> None:
    with pytest.raises(CardDataError):
        parse_file_map(data)


def test_beneficiaries_in_card_order_with_every_field() -> None:
    nir = profiles.nir("2841275056089")
    data = _template(
        last=b"L\xc9GER", first=b"Zo\xe9", birth=b"19841231", nationality=b"FR", nir=nir.encode()
    )
    data += _template(last=b"DUPONT-MARTIN  ", first=b"", birth=b"19750000", nir=b"184127645108946")
    first, second = parse_beneficiaries(data)
    assert (first.last_name, first.first_name, first.nationality) == ("LÉGER", "Zoé", "FR")
    assert (first.birth_date, first.birth_date_iso, first.nir, first.nir_valid) == (
        "19841231",
        "1984-12-31",
        nir,
        True,
    )
    # a "lunar" birth date is kept as read, with no calendar date
    assert (second.last_name, second.birth_date, second.birth_date_iso) == ("DUPONT-MARTIN", "19750000", None)
    assert second.first_name == ""


def test_a_wrong_key_is_kept_and_flagged_never_fixed() -> None:
    wrong = profiles.nir("290032A045123", wrong_key=True)
    (only,) = parse_beneficiaries(_template(last=b"CASANOVA", nir=wrong.encode()))
    assert (only.nir, only.nir_valid, only.nir_problem) == (wrong, False, "La clé du NIR est invalide")


def test_a_nir_of_the_wrong_length_is_flagged() -> None:
    (only,) = parse_beneficiaries(_template(last=b"X", nir=b"1841276"))
    assert not only.nir_valid
    assert only.nir_problem == "Le NIR doit comporter 15 caractères (13 + clé)"


def test_other_templates_and_raw_files_give_no_beneficiary() -> None:
    assert parse_beneficiaries(encode_tlv(0x66, encode_tlv(0x80, b"20240101"))) == ()
    assert parse_beneficiaries(b"\x00\x65\x03\x80\x01A") == ()
    assert parse_beneficiaries(b"\x04\x00\x65") == ()
    assert parse_beneficiaries(b"") == ()


@pytest.mark.parametrize(
    "data",
    [
        _template(first=b"Jean", nir=b"184127645108946"),  # no name
        _template(last=b"DURAND"),  # no NIR
        bytes.fromhex("65 03 80 05 41"),  # a field longer than its template
    ],
)
def test_incomplete_beneficiaries_are_refused(data: bytes) -> None:
    with pytest.raises(CardDataError):
        parse_beneficiaries(data)
