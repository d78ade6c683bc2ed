"""A fictitious MSSanté extraction in the published layout (docs/mssante-format.md).

``python -m bench.make_mssante --rows N [--seed S] [--malformed-every K] OUT`` writes ``OUT`` (.txt,
or .zip holding ``Extraction_Correspondance_MSSante_….txt`` as the ANS publishes it): the header
and N lines, ``|``-separated. About 85 % personal boxes (« PER ») of persons with a valid RPPS
(Luhn) or ADELI, some with two boxes (two operators), the rest organisational boxes (« ORG »)
and personal boxes tied to no national identifier, as in the real file; every K-th line is
malformed on purpose (an RPPS with a wrong key, an address without « @ », a truncated line, in
turn). Invented names and domains under ``.test``: no real person's data.
"""

from __future__ import annotations

import argparse
import random
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from shared.validation import luhn_is_valid

HEADER: Final = [
    "Type de BAL", "Adresse BAL", "Type Identifiant PP", "Identifiant PP", "Identification nationale PP",
    "Type identifiant structure", "Identification Structure", "Service de rattachement",
    "Civilité d'exercice", "Nom d'exercice", "Prénom d'exercice", "Catégorie profession",
    "Libellé de catégorie profession", "Code Profession", "Libellé Profession", "Code savoir-faire",
    "Libellé savoir-faire", "Dématérialisation", "Raison Sociale structure BAL",
    "Enseigne commerciale structure BAL", "L2COMPLEMENTLOCALISATION", "L3COMPLEMENTDISTRIBUTION",
    "L4NUMEROVOIE", "L4COMPLEMENTNUMEROVOIE", "NL4TYPEVOIE", "L4LIBELLEVOIE", "L5LIEUDITMENTION",
    "L6LIGNEACHEMINEMENT", "Code postal", "Département", "Pays",
]  # fmt: skip
LAST_NAMES: Final = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
                     "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFÈVRE", "MICHEL", "GARCÍA", "N'DIAYE",
                     "LE GALL", "FAURE-DUBOIS"]  # fmt: skip
FIRST_NAMES: Final = ["Anaïs", "Noël", "Zoé", "Hélène", "Jérôme", "François", "Inès", "Léa", "Maël",
                      "Chloé", "Éric", "Benoît"]  # fmt: skip
PROFESSIONS: Final = [("10", "Médecin"), ("60", "Infirmier"), ("70", "Masseur-Kinésithérapeute"),
                      ("21", "Pharmacien"), ("50", "Sage-Femme")]  # fmt: skip
OPERATORS: Final = ["medecin.mssante.test", "pro.mssante.test", "apicrypt.mssante.test"]


def rpps_for(number: int) -> str:
    """An 11-digit RPPS with a valid Luhn key, from any number."""
    body = f"1{number % 10**9:09d}"
    return next(body + str(d) for d in range(10) if luhn_is_valid(body + str(d)))


def wrong_key(rpps: str) -> str:
    return rpps[:-1] + str((int(rpps[-1]) + 1) % 10)


def line(values: dict[str, str]) -> str:
    return "|".join(values.get(name, "") for name in HEADER)


def person_box(rng: random.Random, number: int, operator: str, dematerialised: bool) -> dict[str, str]:
    """The box of person `number` (the same number: the same person, at another operator)."""
    last, first = LAST_NAMES[number % len(LAST_NAMES)], FIRST_NAMES[number // 7 % len(FIRST_NAMES)]
    code, label = PROFESSIONS[number // 3 % len(PROFESSIONS)]
    adeli = code == "60" and number % 2 == 0
    identifier = f"{69_000_000 + number % 10**6:09d}" if adeli else rpps_for(number)
    kind = "0" if adeli else "8"
    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local = f"{plain}.{number}".lower().replace(" ", "-").replace("'", "")
    del rng  # the person depends on `number` only
    return {
        "Type de BAL": "PER",
        "Adresse BAL": f"{local}@{operator}",
        "Type Identifiant PP": kind,
        "Identifiant PP": identifier,
        "Identification nationale PP": kind + identifier,
        "Civilité d'exercice": "DR" if code == "10" else "M",
        "Nom d'exercice": last,
        "Prénom d'exercice": first,
        "Code Profession": code,
        "Libellé Profession": label,
        "Dématérialisation": "O" if dematerialised else "N",
        "L6LIGNEACHEMINEMENT": "69003 LYON",
        "Code postal": "69003",
        "Département": "69",
        "Pays": "FRANCE",
    }


def _malformed(rng: random.Random, index: int, number: int) -> str:
    box = person_box(rng, number, OPERATORS[0], False)
    kind = index % 3
    if kind == 0 and box["Type Identifiant PP"] == "8":
        box["Identifiant PP"] = wrong_key(box["Identifiant PP"])
        return line(box)
    if kind == 1:
        box["Adresse BAL"] = box["Adresse BAL"].replace("@", " chez ")
        return line(box)
    return "|".join(line(box).split("|")[:12])


def lines(rows: int, seed: int = 1, malformed_every: int = 0) -> Iterator[str]:
    rng = random.Random(seed)
    yield "|".join(HEADER)
    number, previous = seed * 1_000_003, 0
    for index in range(1, rows + 1):
        number += 1
        if malformed_every and index % malformed_every == 0:
            yield _malformed(rng, index // malformed_every, number)
            continue
        draw = rng.random()
        if draw < 0.12:
            yield line(
                {
                    "Type de BAL": "ORG",
                    "Adresse BAL": f"secretariat.{number}@ch-exemple.mssante.test",
                    "Type identifiant structure": "1",
                    "Identification Structure": f"69{number % 10**8:08d}",
                    "Raison Sociale structure BAL": "CENTRE HOSPITALIER EXEMPLE",
                }
            )
        elif draw < 0.15:
            yield line(
                {
                    "Type de BAL": "PER",
                    "Adresse BAL": f"interne.{number}@ch-exemple.mssante.test",
                    "Nom d'exercice": "INTERNE",
                    "Prénom d'exercice": "Garde",
                }
            )
        elif draw < 0.23 and previous:  # the previous person's second box, at another operator
            yield line(person_box(rng, previous, OPERATORS[(index + 1) % 3], False))
            previous = 0
        else:
            yield line(person_box(rng, number, OPERATORS[index % 3], rng.random() < 0.6))
            previous = number


def write_file(path: Path, rows: int, seed: int = 1, malformed_every: int = 0) -> None:
    text = "\n".join(lines(rows, seed, malformed_every)) + "\n"
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("Extraction_Correspondance_MSSante_202608261013.txt", text)
    else:
        path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=536_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--malformed-every", type=int, default=0)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    write_file(args.out, args.rows, args.seed, args.malformed_every)


if __name__ == "__main__":
    main()
