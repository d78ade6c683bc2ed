"""The audit trail's hash chain on a real database (SQLite file, fresh PostgreSQL database):
`centrale-server audit verify` says an intact chain is intact and names the first broken link
after a change forced by hand (as the owner, or straight into the SQLite file); SQLite refuses
INSERT OR REPLACE, UPDATE and DELETE; `audit archive` writes a verifiable archive and the rest of
the chain still verifies from its anchor."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from server.db import Database
from server.security.audit import Origin, record_audit
from tests.integration.conftest import database_url
from tests.support import postgres
from tests.support.server_process import ServerProcess

ORIGIN = Origin("GET", "/api/v1/patients/1", "192.0.2.7", "centrale-tests")
NOW = datetime.now(UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def trail(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    """A migrated database holding 12 chained entries, 200 days old down to today."""
    url = database_url(request.param, tmp_path)
    process = ServerProcess(url, tmp_path)
    migrated = process.cli("migrate")
    assert migrated.returncode == 0, migrated.stderr
    db = Database(url)
    try:
        for n in range(12):
            with db.session() as session:
                at = NOW - timedelta(days=200 - n * 15)
                record_audit(session, at, ORIGIN, None, "patient_read", patient_id=n, username="op", n=n)
    finally:
        db.dispose()
    try:
        yield process
    finally:
        if request.param == "postgresql":
            postgres.drop_database(url)


def _sql(process: ServerProcess, *statements: str) -> None:
    """Run statements straight on the database, as its owner (the superuser here) or the file."""
    url = process.database_url
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _ids(process: ServerProcess) -> list[int]:
    url = process.database_url
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return [r[0] for r in conn.execute("SELECT id FROM audit_entries ORDER BY id")]
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return [int(r[0]) for r in conn.execute("SELECT id FROM audit_entries ORDER BY id")]


def _unprotect(process: ServerProcess) -> tuple[str, ...]:
    if process.database_url.startswith("sqlite"):
        return ("DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete")
    return ("ALTER TABLE audit_entries DISABLE TRIGGER USER",)


def test_intact_chain_verifies(trail: ServerProcess) -> None:
    result = trail.cli("audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Journal d'audit intègre : 12 entrées" in result.stdout


def test_a_row_changed_by_hand_is_named(trail: ServerProcess) -> None:
    ids = _ids(trail)
    _sql(trail, *_unprotect(trail), f"UPDATE audit_entries SET username = 'mallory' WHERE id = {ids[4]}")
    result = trail.cli("audit", "verify")
    assert result.returncode == 1
    assert f"Entrée n° {ids[4]} : son contenu a été modifié" in result.stdout


def test_a_row_removed_by_hand_is_named(trail: ServerProcess) -> None:
    ids = _ids(trail)
    _sql(trail, *_unprotect(trail), f"DELETE FROM audit_entries WHERE id = {ids[6]}")
    result = trail.cli("audit", "verify")
    assert result.returncode == 1
    assert f"Entrée n° {ids[7]} : le lien avec l'entrée n° {ids[5]} est rompu" in result.stdout


def test_a_rehashed_row_still_breaks_the_next_link(trail: ServerProcess) -> None:
    """Whoever rewrites an entry and its own hash is caught by the next entry's link."""
    ids = _ids(trail)
    fake = "f" * 64
    _sql(trail, *_unprotect(trail), f"UPDATE audit_entries SET entry_hash = '{fake}' WHERE id = {ids[2]}")
    result = trail.cli("audit", "verify")
    assert result.returncode == 1
    assert f"Entrée n° {ids[2]} :" in result.stdout


def test_the_database_refuses_rewrites(trail: ServerProcess) -> None:
    first = _ids(trail)[0]
    attempts = [
        f"UPDATE audit_entries SET username = 'x' WHERE id = {first}",
        f"DELETE FROM audit_entries WHERE id = {first}",
    ]
    if trail.database_url.startswith("sqlite"):
        # INSERT OR REPLACE used to delete the old row without firing the DELETE trigger.
        attempts.append(
            "INSERT OR REPLACE INTO audit_entries (id, at, action, method, path, status, detail, "
            "prev_hash, entry_hash) SELECT id, at, 'rewritten', method, path, status, detail, prev_hash, "
            f"entry_hash FROM audit_entries WHERE id = {first}"
        )
        attempts.append(
            "INSERT INTO audit_entries (at, action, method, path, status, detail) "
            "VALUES ('2025-01-01 00:00:00', 'unchained', 'GET', '/', 200, '{}')"
        )
    else:
        attempts.append("TRUNCATE audit_entries")
        attempts.append(
            "INSERT INTO audit_entries (id, at, action, method, path, status, detail, prev_hash, "
            f"entry_hash) SELECT id, at, 'rewritten', method, path, status, detail, prev_hash, "
            f"entry_hash FROM audit_entries WHERE id = {first} "
            "ON CONFLICT (id) DO UPDATE SET action = EXCLUDED.action"
        )
    for statement in attempts:
        with pytest.raises((sqlite3.DatabaseError, psycopg.Error)):
            _sql(trail, statement)
    assert len(_ids(trail)) == 12
    assert trail.cli("audit", "verify").returncode == 0


def test_archive_then_the_rest_verifies(trail: ServerProcess, tmp_path: Path) -> None:
    cut = (NOW - timedelta(days=100)).astimezone(UTC).date()
    archive = tmp_path / "audit-1.jsonl.gz"
    done = trail.cli("audit", "archive", "--before", cut.isoformat(), "--to", str(archive))
    assert done.returncode == 0, done.stderr
    kept = _ids(trail)
    # Entries 0..6 are 200..110 days old: archived; the archive's own entry is appended.
    assert "7 entrées archivées" in done.stdout
    assert len(kept) == 12 - 7 + 1
    with gzip.open(archive, "rt") as f:
        lines = [json.loads(line) for line in f]
    assert lines[0]["format"] == "centrale-audit-archive/1"
    assert [row["detail"]["n"] for row in lines[1:-1]] == list(range(7))

    verified = trail.cli("audit", "verify", "--archive", str(archive))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intègre : 7 entrées" in verified.stdout
    assert "Journal d'audit intègre : 6 entrées" in verified.stdout

    again = trail.cli("audit", "archive", "--before", cut.isoformat(), "--to", str(archive))
    assert again.returncode == 2
    assert "existe déjà" in again.stderr

    # An archived entry changed in the file is named.
    lines[3]["username"] = "mallory"
    forged = tmp_path / "forged.jsonl.gz"
    with gzip.open(forged, "wt") as f:
        f.writelines(json.dumps(line) + "\n" for line in lines)
    bad = trail.cli("audit", "verify", "--archive", str(forged))
    assert bad.returncode == 1
    assert f"Entrée n° {lines[3]['id']} : son contenu a été modifié" in bad.stdout


def test_an_unanchored_delete_is_still_refused_after_an_archive(trail: ServerProcess, tmp_path: Path) -> None:
    cut = (NOW - timedelta(days=100)).date().isoformat()
    assert trail.cli("audit", "archive", "--before", cut, "--to", str(tmp_path / "a.gz")).returncode == 0
    remaining = _ids(trail)[0]
    with pytest.raises((sqlite3.DatabaseError, psycopg.Error)):
        _sql(trail, f"DELETE FROM audit_entries WHERE id = {remaining}")
    with pytest.raises((sqlite3.DatabaseError, psycopg.Error)):
        _sql(trail, "DELETE FROM audit_anchors")
