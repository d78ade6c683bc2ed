"""Card profiles for the tests and the benchmark (JSON-ready dicts, see cardreader/emulator/profiles.py)."""

from __future__ import annotations

from typing import Any

from shared.validation import nir_key


def nir(body13: str, wrong_key: bool = False) -> str:
    key = nir_key(body13)
    if wrong_key:
        key = key % 97 + 1
    return f"{body13}{key:02d}"


def beneficiary(
    last_name: str, first_name: str, birth_date: str, nir_value: str, nationality: str = "FR"
) -> dict[str, Any]:
    return {
        "last_name": last_name,
        "first_name": first_name,
        "birth_date": birth_date,
        "nationality": nationality,
        "nir": nir_value,
    }


FAMILY = [
    beneficiary("DUPONT-MARTIN", "Hélène", "19841231", nir("2841275056089")),
    beneficiary("DUPONT-MARTIN", "Jean-Éric", "19820115", nir("1820175056102")),
    beneficiary("DUPONT-MARTIN", "Zoé", "20150607", nir("2150675056311")),
]
CORSICAN = beneficiary("CASANOVA", "Marie-Ange", "19900303", nir("290032A045123"))
CORSICAN_2B = beneficiary("ORSINI", "Ghjuvanni", "19911111", nir("191112B033045"))


def vitale2(*beneficiaries: dict[str, Any], fault: dict[str, Any] | None = None) -> dict[str, Any]:
    profile: dict[str, Any] = {"type": "vitale2", "beneficiaries": list(beneficiaries)}
    if fault is not None:
        profile["fault"] = fault
    return profile


def large_family(count: int = 8) -> list[dict[str, Any]]:
    return [
        beneficiary(
            f"LEFÈVRE-N'DIAYE{'' if i == 0 else ' ' + 'ABCDEFGH'[i]}",
            f"Prénom-{i}",
            f"20{i:02d}0101",
            nir(f"1{i:02d}0175056{i + 100:03d}"),
        )
        for i in range(count)
    ]


def cps(
    kind: str, last_name: str, first_name: str, national_id: str, profession_code: str = "10"
) -> dict[str, Any]:
    return {
        "type": kind,
        "holder": {
            "last_name": last_name,
            "first_name": first_name,
            "national_id": national_id,
            "profession_code": profession_code,
        },
    }
