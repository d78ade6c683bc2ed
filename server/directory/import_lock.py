"""One import at a time: a second `import-rpps` would delete the first one's unfinished rows.

PostgreSQL: a session advisory lock; SQLite: an exclusive ``flock`` on a file beside the database.
Both are released by the operating system or the server when the importer dies, so an
interrupted import never blocks the next run.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from server.db import Database

# pg_advisory_lock key: "RPPS" in ASCII.
ADVISORY_KEY = 0x52505053


class ImportBusy(Exception):
    """Another import is running (message in French)."""

    def __init__(self, label: str = "RPPS") -> None:
        super().__init__(f"Un import {label} est déjà en cours sur cette base : attendez qu'il se termine")


def lock_path(database_url: str, name: str = "rpps") -> Path | None:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + f".{name}-import.lock")


@contextmanager
def exclusive_import(
    db: Database, key: int = ADVISORY_KEY, name: str = "rpps", label: str = "RPPS"
) -> Iterator[None]:
    """One import of this kind at a time (`key`, `name`: the MSSanté import has its own lock)."""
    if db.kind == "postgresql":
        with db.engine.connect() as conn:
            if not conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
                raise ImportBusy(label)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
        return
    path = lock_path(db.url, name)
    if path is None:
        yield
        return
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy(label) from None
        yield
