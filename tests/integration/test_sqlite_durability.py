"""Issue 17, item 13: the embedded SQLite server survives a power loss as well as a kill — every
connection runs in WAL mode with `synchronous=FULL` (each commit's WAL frames reach the disk
before the commit returns; NORMAL would only sync them at checkpoints)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from server.db import Database

FULL = 2  # what PRAGMA synchronous reads back for FULL (0 OFF, 1 NORMAL, 3 EXTRA)


def test_every_sqlite_connection_syncs_each_commit(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'centrale.sqlite3'}")
    try:
        connections = [db.engine.raw_connection() for _ in range(2)]  # each new pooled connection
        try:
            for connection in connections:
                cursor = connection.cursor()
                assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
                assert cursor.execute("PRAGMA synchronous").fetchone()[0] == FULL
                cursor.close()
        finally:
            for connection in connections:
                connection.close()
        with db.session() as session:  # and through the server's own unit of work
            assert session.execute(text("PRAGMA synchronous")).scalar() == FULL
    finally:
        db.dispose()
