"""Running ``centrale-server import-rpps`` / ``import-mssante`` against a live server's database,
and holding an import's lock from a test, as a running importer would."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from server.directory.import_lock import lock_path
from tests.support.live import LiveServer


def run_import(server: LiveServer, command: str, path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", command, str(path)],
        env={**server.process.env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def imported(server: LiveServer, command: str, path: Path) -> str:
    result = run_import(server, command, path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def generation_count(server: LiveServer, table: str) -> int:
    """How many generations ``table`` holds rows of (the current one, and any unfinished)."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text(f"SELECT count(DISTINCT generation) FROM {table}")) or 0)
    finally:
        engine.dispose()


@contextmanager
def holding_import_lock(server: LiveServer, key: int, name: str) -> Iterator[None]:
    """What a running importer holds (server/directory/import_lock.py), held from the test."""
    if server.kind == "postgresql":
        engine = create_engine(server.database_url)
        try:
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
                yield
        finally:
            engine.dispose()
        return
    path = lock_path(server.database_url, name)
    assert path is not None
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
