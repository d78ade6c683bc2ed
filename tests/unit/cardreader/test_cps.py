from __future__ import annotations

import pytest

from cardreader.cards.cps import der_length, parse_holder
from cardreader.emulator.profiles import holder_certificate
from cardreader.errors import CardDataError


def _certificate(last: str, first: str, national_id: str, profession: str = "10") -> bytes:
    return holder_certificate(
        {"last_name": last, "first_name": first, "national_id": national_id, "profession_code": profession}
    )


def test_rpps_holder() -> None:
    holder = parse_holder(_certificate("D'ARTAGNAN", "Jean-Pierre", "810001045367", "50"))
    assert (holder.last_name, holder.first_name) == ("D'ARTAGNAN", "Jean-Pierre")
    assert (holder.id_type, holder.id_number, holder.id_valid) == ("rpps", "10001045367", True)
    assert (holder.profession_code, holder.profession_label) == ("50", "Sage-femme")


def test_adeli_holder_and_padding_after_the_certificate() -> None:
    holder = parse_holder(_certificate("N'DIAYE", "Marie Ève", "0751234567", "70") + b"\xff" * 40)
    assert (holder.id_type, holder.id_number, holder.id_valid) == ("adeli", "751234567", True)
    assert holder.first_name == "Marie Ève"
    assert holder.profession_label == "Masseur-kinésithérapeute"


@pytest.mark.parametrize(
    ("national_id", "id_type", "problem"),
    [
        ("810001045368", "rpps", "Numéro RPPS invalide (clé de contrôle)"),
        ("07512345", "adeli", "Un identifiant national ADELI comporte 10 chiffres (0 + numéro ADELI)"),
        (
            "310001045367",
            None,
            "Type d'identifiant national inconnu : il doit commencer par 8 (RPPS) ou 0 (ADELI)",
        ),
    ],
)
def test_invalid_identifiers_are_kept_and_flagged(
    national_id: str, id_type: str | None, problem: str
) -> None:
    holder = parse_holder(_certificate("MARTIN", "Luc", national_id))
    assert (holder.national_id, holder.id_type, holder.id_valid, holder.id_problem) == (
        national_id,
        id_type,
        False,
        problem,
    )


def test_unknown_profession_label_is_kept_without_code() -> None:
    holder = parse_holder(_certificate("MARTIN", "Luc", "810001045367", "Ostéopathe"))
    assert (holder.profession_code, holder.profession_label) == (None, "Ostéopathe")


def test_der_length() -> None:
    assert der_length(bytes.fromhex("30 82 01 2C")) == 4 + 0x12C
    assert der_length(bytes.fromhex("30 05")) == 7
    assert der_length(bytes.fromhex("31 05")) is None
    assert der_length(bytes.fromhex("30 80")) is None
    assert der_length(b"0") is None


@pytest.mark.parametrize("data", [b"", b"\x30\x03\x02\x01\x00", b"\x30\x82\x10\x00" + bytes(20), bytes(64)])
def test_not_a_certificate(data: bytes) -> None:
    with pytest.raises(CardDataError):
        parse_holder(data)


def test_a_certificate_with_an_impossible_version_is_invalid_data() -> None:
    certificate = _certificate("A", "B", "810001045367")
    version = certificate.index(bytes.fromhex("A0 03 02 01 02"))
    with pytest.raises(CardDataError):
        parse_holder(certificate[: version + 4] + b"\x07" + certificate[version + 5 :])
