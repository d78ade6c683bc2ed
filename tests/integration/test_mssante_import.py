"""`centrale-server import-mssante` on SQLite and PostgreSQL: the sample extraction of
tests/fixtures/mssante (bad lines reported, other boxes skipped), the .zip as published, an
interrupted import that changes nothing and a re-run, a newer file, its own lock, French refusals."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from sqlalchemy import create_engine, text

from bench.make_mssante import write_file
from server.db import Database
from server.directory.import_lock import ADVISORY_KEY as RPPS_KEY
from server.directory.importer import CRASH_ENV
from server.directory.mssante_importer import ADVISORY_KEY
from server.services.doctor_informed import mssante_address
from tests.integration.conftest import start_live
from tests.support import directory_imports
from tests.support.directory_imports import holding_import_lock
from tests.support.live import LiveServer

SAMPLE = (
    Path(__file__).parents[1] / "fixtures" / "mssante" / "Extraction_Correspondance_MSSante_202608261013.txt"
)
CURRENT = "generation = (SELECT max(id) FROM mssante_imports WHERE status = 'done')"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from start_live(request.param, tmp_path_factory.mktemp(f"mssante-{request.param}"))


def run_import(server: LiveServer, path: Path, **env: str) -> CompletedProcess[str]:
    return directory_imports.run_import(server, "import-mssante", path, **env)


def imported(server: LiveServer, path: Path) -> str:
    return directory_imports.imported(server, "import-mssante", path)


def rows(server: LiveServer) -> list[tuple[object, ...]]:
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    text(
                        "SELECT seq, rpps, id_type, address, last_name, first_name, profession_code, "
                        f"dematerialised FROM mssante_addresses WHERE {CURRENT} ORDER BY seq"
                    )
                )
            ]
    finally:
        engine.dispose()


def digest(server: LiveServer) -> tuple[int, str]:
    found = rows(server)
    return len(found), hashlib.sha256(repr(found).encode()).hexdigest()


def generations(server: LiveServer) -> int:
    return directory_imports.generation_count(server, "mssante_addresses")


def address_of(server: LiveServer, rpps: str) -> str | None:
    db = Database(server.database_url)
    try:
        with db.session() as session:
            return mssante_address(session, rpps)
    finally:
        db.dispose()


def test_the_sample_extraction_keeps_personal_boxes_and_reports_bad_lines(live: LiveServer) -> None:
    out = imported(live, SAMPLE)
    assert "(utf-8)" in out
    assert "4 adresses personnelles de 3 professionnels" in out
    assert "2 boîte(s) ignorée(s)" in out
    assert "3 ligne(s) rejetée(s) :" in out
    assert (
        "    ligne 7 : identifiant « 81000000001 » invalide : Numéro RPPS invalide (clé de contrôle)" in out
    )
    assert "    ligne 8 : adresse BAL « pas-une-adresse » invalide" in out
    assert "    ligne 9 : 10 colonnes au lieu de 31" in out
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7])) for r in rows(live)] == [
        (2, "81000000000", "8", "paul.martin@medecin.mssante.test", "MARTIN", "Paul", "10", True),
        (3, "81000000000", "8", "paul.martin@apicrypt.mssante.test", "MARTIN", "Paul", "10", False),
        (6, "691234567", "0", "c.leroy@infirmier.mssante.test", "LEROY", "Claire", "60", True),
        (10, "81000000018", "8", "helene.durand@medecin.mssante.test", "DURAND", "Hélène", "10", False),
    ]
    # The box chosen for a mail: the one the holder asked documents on (« Dématérialisation »).
    assert address_of(live, "81000000000") == "paul.martin@medecin.mssante.test"
    assert address_of(live, "81000000018") == "helene.durand@medecin.mssante.test"
    assert address_of(live, "81000000026") is None  # its only line was rejected


def test_the_zip_as_published_imports_the_same_addresses(live: LiveServer, tmp_path: Path) -> None:
    archive = tmp_path / "Extraction_Correspondance_MSSante.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(SAMPLE, SAMPLE.name)
    imported(live, SAMPLE)
    expected = digest(live)
    assert "Extraction_Correspondance_MSSante.zip:Extraction_Correspondance_MSSante_" in imported(
        live, archive
    )
    assert digest(live) == expected


def test_an_interrupted_import_changes_nothing_and_a_rerun_ends_clean(
    live: LiveServer, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    write_file(first, 1_000, seed=3)
    write_file(second, 5_000, seed=4)
    imported(live, first)
    before = digest(live)

    crashed = run_import(live, second, **{CRASH_ENV: "2500"})
    assert crashed.returncode == 3
    assert digest(live) == before  # lookups still read the whole previous import
    assert generations(live) == 2  # the unfinished one waits for the next run to clear it

    imported(live, second)
    assert generations(live) == 1
    after_rerun = digest(live)
    imported(live, first)
    imported(live, second)  # a clean import of the same file, for comparison
    assert digest(live) == after_rerun
    assert after_rerun[0] > 3_500


def test_a_newer_file_adds_and_retires_addresses(live: LiveServer, tmp_path: Path) -> None:
    header, *lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    kept, moved = lines[0], lines[8]  # MARTIN's preferred box; DURAND's box
    older, newer = tmp_path / "older.txt", tmp_path / "newer.txt"
    older.write_text("\n".join([header, kept, moved]) + "\n", encoding="utf-8")
    changed = moved.replace("helene.durand@medecin.mssante.test", "h.durand@pro.mssante.test")
    newer.write_text("\r\n".join([header, kept, changed]) + "\r\n\r\n", encoding="utf-8")  # CRLF, blank end
    imported(live, older)
    out = imported(live, newer)
    assert "1 adresses ajoutées, 1 retirées" in out
    assert "aucune ligne rejetée" in out
    assert address_of(live, "81000000018") == "h.durand@pro.mssante.test"
    assert address_of(live, "81000000000") == "paul.martin@medecin.mssante.test"


def test_unusable_files_are_refused_in_french(live: LiveServer, tmp_path: Path) -> None:
    missing = run_import(live, tmp_path / "absent.txt")
    assert (missing.returncode, "Fichier introuvable" in missing.stderr) == (2, True)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("Nom|Prénom\nDUPONT|Jean\n", encoding="utf-8")
    refused = run_import(live, wrong)
    assert refused.returncode == 2
    assert "En-tête MSSanté non reconnu" in refused.stderr
    assert "« Adresse BAL »" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_one_mssante_import_at_a_time_beside_the_rpps_import(live: LiveServer) -> None:
    with holding_import_lock(live, ADVISORY_KEY, "mssante"):
        refused = run_import(live, SAMPLE)
    assert refused.returncode == 2
    assert "Un import MSSanté est déjà en cours" in refused.stderr
    with holding_import_lock(live, RPPS_KEY, "rpps"):  # an RPPS import running does not stop this one
        imported(live, SAMPLE)
