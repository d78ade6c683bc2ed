"""`centrale-server import-rpps` on generated extractions: both header variants and encodings,
rejected lines reported without stopping, an interrupted import re-run, a newer file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bench.make_rpps import activity_line, header_for, write_file
from server.directory.import_lock import ADVISORY_KEY
from server.directory.importer import CRASH_ENV
from tests.integration.conftest import start_live
from tests.support import directory_imports
from tests.support.directory_imports import holding_import_lock
from tests.support.live import LiveServer, rpps_with_key

ROWS = 3_000
MALFORMED_EVERY = 250


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from start_live(request.param, tmp_path_factory.mktemp(f"rpps-{request.param}"))


def run_import(server: LiveServer, path: Path, **env: str) -> CompletedProcess[str]:
    return directory_imports.run_import(server, "import-rpps", path, **env)


def imported(server: LiveServer, path: Path) -> str:
    return directory_imports.imported(server, "import-rpps", path)


CURRENT = "generation = (SELECT max(id) FROM directory_imports WHERE status = 'done')"


def generations(server: LiveServer) -> int:
    return directory_imports.generation_count(server, "directory_activities")


def directory_digest(server: LiveServer) -> tuple[int, int, str]:
    """Persons, activities and a digest of the content searches read (generation numbers left out)."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            persons = conn.execute(
                text(
                    "SELECT rpps, last_name, first_name, last_name_key, profession_code, specialty_code, "
                    f"commune, postal_code, phone FROM directory_persons WHERE {CURRENT} ORDER BY rpps"
                )
            ).all()
            activities = conn.execute(
                text(
                    "SELECT rpps, seq, mode_code, site_name, address, postal_code, commune_insee, phone, "
                    f"phone2, email FROM directory_activities WHERE {CURRENT} ORDER BY rpps, seq"
                )
            ).all()
    finally:
        engine.dispose()
    digest = hashlib.sha256(repr((persons, activities)).encode()).hexdigest()
    return len(persons), len(activities), digest


def search(server: LiveServer, **params: Any) -> list[dict[str, Any]]:
    client = server.admin()
    response = client.get("/directory/professionals", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def person(rpps: str, last: str, first: str, phone: str, **more: str) -> dict[str, str]:
    return {
        "Type d'identifiant PP": "8",
        "Identifiant PP": rpps,
        "Identification nationale PP": "8" + rpps,
        "Nom d'exercice": last,
        "Prénom d'exercice": first,
        "Code profession": "60",
        "Libellé profession": "Infirmier",
        "Code mode exercice": "L",
        "Code postal (coord. structure)": "97200",
        "Code commune (coord. structure)": "97209",
        "Libellé commune (coord. structure)": "FORT-DE-FRANCE",
        "Téléphone (coord. structure)": phone,
        **more,
    }


@pytest.mark.parametrize(
    ("variant", "encoding", "suffix"),
    [("old", "utf-8", ".txt"), ("new", "latin-1", ".zip")],
)
def test_variants_and_encodings_import_the_same_directory(
    live: LiveServer, tmp_path: Path, variant: str, encoding: str, suffix: str
) -> None:
    marker = person(rpps_with_key(7_700_000_001), "LŒUILLET-D'ARCY", "Hélène", "0596 61 23 45")
    path = tmp_path / f"extraction{suffix}"
    write_file(
        path,
        ROWS,
        variant=variant,
        encoding=encoding,
        seed=11,
        malformed_every=MALFORMED_EVERY,
        extra=[marker],
    )
    out = imported(live, path)
    assert f"({encoding})" in out
    assert f"{ROWS // MALFORMED_EVERY} ligne(s) rejetée(s)" in out
    # Every rejected line is listed with its number (header = line 1, so generated line k is k + 1).
    for k in range(MALFORMED_EVERY, ROWS + 1, MALFORMED_EVERY):
        assert f"    ligne {k + 1} : " in out
    found = search(live, last_name="lœuillet d'arcy", first_name="hél")
    expected_name = "LOEUILLET-D'ARCY" if encoding == "latin-1" else "LŒUILLET-D'ARCY"
    assert [(i["last_name"], i["first_name"], i["phone"], i["commune"]) for i in found] == [
        (expected_name, "Hélène", "+596596612345", "FORT-DE-FRANCE")
    ]
    # The same generated people whatever the variant and encoding (Latin-1 has no Œ: spelt OE).
    persons, activities, _ = directory_digest(live)
    assert (persons, activities) == pytest.approx((2_100, ROWS + 1 - ROWS // MALFORMED_EVERY), rel=0.1)


def test_an_interrupted_import_leaves_the_directory_and_a_rerun_ends_as_a_clean_import(
    live: LiveServer, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    write_file(first, 1_000, seed=21, malformed_every=0)
    write_file(second, 5_000, seed=22, malformed_every=0)
    imported(live, first)
    before = directory_digest(live)

    crashed = run_import(live, second, **{CRASH_ENV: "2500"})
    assert crashed.returncode == 3
    assert directory_digest(live) == before  # searches still read the complete previous import
    assert generations(live) == 2  # and the unfinished one waits for the next run to clear it

    imported(live, second)
    assert generations(live) == 1
    after_rerun = directory_digest(live)
    imported(live, first)
    imported(live, second)  # a clean import of the same file, for comparison
    assert directory_digest(live) == after_rerun
    assert after_rerun[1] == 5_000


def test_a_newer_file_adds_updates_and_retires(live: LiveServer, tmp_path: Path) -> None:
    kept, moved, retired, added = (rpps_with_key(7_700_000_100 + i) for i in range(4))
    header = header_for("old")
    base = [
        person(kept, "PERMANENT", "Anaïs", "0596 70 00 00 01"[:14]),
        person(moved, "DEMENAGE", "Noël", "0596 70 00 02"),
        person(retired, "RETRAITE", "Zoé", "0596 70 00 03"),
    ]
    older, newer = tmp_path / "2022.txt", tmp_path / "2023.txt"
    older.write_text("\n".join(["|".join(header) + "|", *(activity_line(header, p) for p in base)]) + "\n")
    changed = [
        base[0],
        {
            **base[1],
            "Téléphone (coord. structure)": "0596 70 00 22",
            "Libellé commune (coord. structure)": "LE LAMENTIN",
        },
        person(added, "NOUVELLE", "Inès", "0596 70 00 04"),
    ]
    lines = ["|".join(header) + "|", *(activity_line(header, p) for p in changed)]
    newer.write_text("\r\n".join(lines) + "\r\n\r\n")  # CRLF, and a blank line at the end
    imported(live, older)
    out = imported(live, newer)
    assert "1 ajoutés, 1 modifiés, 1 retirés" in out
    assert "aucune ligne rejetée" in out
    assert search(live, last_name="retraite") == []
    [now_moved] = search(live, last_name="demenage")
    assert (now_moved["phone"], now_moved["commune"]) == ("+596596700022", "LE LAMENTIN")
    assert [i["rpps"] for i in search(live, last_name="nouvelle")] == [added]
    assert [i["rpps"] for i in search(live, last_name="permanent")] == [kept]


def test_unusable_files_are_refused_in_french(live: LiveServer, tmp_path: Path) -> None:
    missing = run_import(live, tmp_path / "absent.txt")
    assert (missing.returncode, "Fichier introuvable" in missing.stderr) == (2, True)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("Nom|Prénom|\nDUPONT|Jean|\n")
    refused = run_import(live, wrong)
    assert refused.returncode == 2
    assert "En-tête RPPS non reconnu" in refused.stderr
    assert "Identifiant PP" in refused.stderr


def test_a_second_import_waits_for_the_first(live: LiveServer, tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    write_file(path, 50, seed=31, malformed_every=0)
    with holding_import_lock(live, ADVISORY_KEY, "rpps"):
        refused = run_import(live, path)
    assert refused.returncode == 2
    assert "Un import RPPS est déjà en cours" in refused.stderr
    imported(live, path)  # the lock went with its holder
