"""Carte Vitale 2 read through pcscd + vpcd + the emulator, with cardreader.pcsc.read_once."""

from __future__ import annotations

from cardreader.cards.vitale2 import VITALE_AID, VitaleCard
from cardreader.emulator.filesystem import ElementaryFile
from cardreader.emulator.profiles import build_profile
from cardreader.pcsc import read_once
from tests.support import card_profiles as profiles
from tests.support.pcsc import CardSlots


def _beneficiaries_file(profile: dict[str, object]) -> bytes:
    app = build_profile(profile).card.mf.find_aid(VITALE_AID)
    assert app is not None
    ef = app.child_by_fid(0x2004)
    assert isinstance(ef, ElementaryFile)
    return ef.data


def _read(slots: CardSlots, slot: int = 0) -> tuple[VitaleCard, int]:
    reader, content, count = read_once(slots.daemon.readers[slot])
    assert reader == slots.daemon.readers[slot]
    assert isinstance(content, VitaleCard)
    return content, count


def test_one_beneficiary_with_accents_and_hyphens(slots: CardSlots) -> None:
    slots.insert(profiles.vitale2(profiles.FAMILY[1]))
    card, count = _read(slots)
    (only,) = card.beneficiaries
    assert (only.last_name, only.first_name) == ("DUPONT-MARTIN", "Jean-Éric")
    assert (only.birth_date, only.birth_date_iso) == ("19820115", "1982-01-15")
    assert only.nir == profiles.FAMILY[1]["nir"]
    assert only.nir_valid
    assert only.nir_problem is None
    assert only.nationality == "FR"
    # SELECT app, SELECT+GET RESPONSE and READ for EF 2001, EF 2002 and the beneficiaries' EF.
    assert count == 1 + 3 + 3 + 3


def test_three_beneficiaries_in_card_order(slots: CardSlots) -> None:
    slots.insert(profiles.vitale2(*profiles.FAMILY))
    card, _ = _read(slots)
    assert [b.first_name for b in card.beneficiaries] == ["Hélène", "Jean-Éric", "Zoé"]
    assert [b.nir for b in card.beneficiaries] == [b["nir"] for b in profiles.FAMILY]


def test_eight_beneficiaries_span_several_read_binary_chunks(slots: CardSlots) -> None:
    family = profiles.large_family(8)
    slots.insert(profiles.vitale2(*family))
    card, count = _read(slots)
    assert [b.last_name for b in card.beneficiaries] == [b["last_name"] for b in family]
    assert all(b.nir_valid for b in card.beneficiaries)
    assert card.beneficiaries[0].last_name == "LEFÈVRE-N'DIAYE"
    size = len(_beneficiaries_file(profiles.vitale2(*family)))
    chunks = -(-size // 256)
    assert chunks >= 2
    assert count == 1 + 3 + 3 + 2 + chunks


def test_corsican_nirs_are_valid(slots: CardSlots) -> None:
    slots.insert(profiles.vitale2(profiles.CORSICAN, profiles.CORSICAN_2B))
    card, _ = _read(slots)
    assert [(b.nir[5:7], b.nir_valid) for b in card.beneficiaries] == [("2A", True), ("2B", True)]


def test_nir_with_a_wrong_key_is_returned_as_read_and_flagged(slots: CardSlots) -> None:
    wrong = profiles.nir("2841275056089", wrong_key=True)
    slots.insert(profiles.vitale2(profiles.beneficiary("MARTIN", "Anne", "19841201", wrong)))
    card, _ = _read(slots)
    (only,) = card.beneficiaries
    assert only.nir == wrong
    assert not only.nir_valid
    assert only.nir_problem == "La clé du NIR est invalide"


def test_two_readers_at_once(slots: CardSlots) -> None:
    slots.insert(profiles.vitale2(profiles.FAMILY[0]), slot=0)
    slots.insert(profiles.vitale2(profiles.CORSICAN), slot=1)
    first, _ = _read(slots, 0)
    second, _ = _read(slots, 1)
    assert first.beneficiaries[0].first_name == "Hélène"
    assert second.beneficiaries[0].first_name == "Marie-Ange"


def test_without_reader_name_the_first_reader_holding_a_card_is_read(slots: CardSlots) -> None:
    slots.insert(profiles.vitale2(profiles.CORSICAN), slot=1)
    reader, content, _ = read_once()
    assert reader == slots.daemon.readers[1]
    assert isinstance(content, VitaleCard)


def test_card_without_file_sizes_is_read_through_6cxx(slots: CardSlots) -> None:
    """The FCP does not give the size: READ BINARY asks 256 bytes, the card answers 6Cxx with the
    exact length, the adapter asks again (ISO/IEC 7816-3 § 12.2.3) — through pcscd."""
    family = profiles.large_family(8)
    slots.insert(profiles.vitale2(*family) | {"fcp_size": False})
    card, count = _read(slots)
    assert [b.last_name for b in card.beneficiaries] == [b["last_name"] for b in family]
    size = len(_beneficiaries_file(profiles.vitale2(*family)))
    full_chunks = size // 256
    # SELECT app; EF 2001 and 2002 (under 256 bytes): SELECT + GET RESPONSE + READ → 6Cxx + READ;
    # the beneficiaries: SELECT + GET RESPONSE, full chunks, then 6Cxx + READ for the tail.
    assert count == 1 + 4 + 4 + 2 + full_chunks + 2
