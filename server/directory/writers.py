"""Bulk writes of directory rows: COPY on PostgreSQL (psycopg), executemany on SQLite.

Each batch commits on its own: rows belong to a generation nobody reads until the import's final
commit, so a batch commit exposes nothing and keeps SQLite's write lock short for the server.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Protocol

from sqlalchemy import Engine

PERSON_COLUMNS = (
    "generation",
    "rpps",
    "id_type",
    "last_name",
    "first_name",
    "last_name_key",
    "first_name_key",
    "profession_code",
    "profession",
    "specialty_code",
    "specialty",
    "commune",
    "postal_code",
    "phone",
)
ACTIVITY_COLUMNS = (
    "generation",
    "rpps",
    "seq",
    "mode_code",
    "site_name",
    "address",
    "postal_code",
    "commune_insee",
    "commune",
    "phone",
    "phone2",
    "email",
)
Row = tuple[Any, ...]


class BatchWriter(Protocol):
    def write(self, persons: list[Row], activities: list[Row]) -> None: ...

    def drain(self) -> None:
        """Returns once every batch handed over is committed."""

    def close(self) -> None: ...


class PostgresWriter:
    def __init__(self, engine: Engine) -> None:
        self._raw = engine.raw_connection()
        self._conn: Any = self._raw.driver_connection

    def write(self, persons: list[Row], activities: list[Row]) -> None:
        with self._conn.cursor() as cursor:
            for table, columns, rows in (
                ("directory_persons", PERSON_COLUMNS, persons),
                ("directory_activities", ACTIVITY_COLUMNS, activities),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        self._conn.commit()

    def drain(self) -> None:
        """Each write commits before returning: nothing to wait for."""

    def close(self) -> None:
        self._raw.close()


class SqliteWriter:
    def __init__(self, engine: Engine) -> None:
        self._raw = engine.raw_connection()
        self._conn: Any = self._raw.driver_connection
        assert self._conn is not None
        # A larger page cache while the indexes grow (about 64 MB; the default is 2 MB).
        self._conn.execute("PRAGMA cache_size = -64000")

    def write(self, persons: list[Row], activities: list[Row]) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for table, columns, rows in (
                ("directory_persons", PERSON_COLUMNS, persons),
                ("directory_activities", ACTIVITY_COLUMNS, activities),
            ):
                marks = ", ".join("?" for _ in columns)
                statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                self._conn.executemany(statement, rows)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def drain(self) -> None:
        """Each write commits before returning: nothing to wait for."""

    def close(self) -> None:
        self._conn.execute("PRAGMA cache_size = -2000")
        self._raw.close()


class BackgroundWriter:
    """Writes batches in a thread while the caller parses the next ones (PostgreSQL).

    psycopg releases the GIL while it sends COPY data and the server builds rows and indexes in
    its own process, so parsing and writing overlap on two cores. Not for SQLite: sqlite3 takes
    the GIL back after every row of an ``executemany``, and against a busy parsing thread each
    take waits for the interpreter's switch interval (measured: a slower import). At most
    ``depth`` batches wait; a write error is raised again by the next ``write``, ``drain`` or
    ``close``.
    """

    def __init__(self, inner: BatchWriter, depth: int = 2) -> None:
        self._inner = inner
        self._queue: queue.Queue[tuple[list[Row], list[Row]] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="rpps-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            try:
                if self._error is None:
                    self._inner.write(*batch)
            except BaseException as exc:  # handed to the importing thread
                self._error = exc
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, persons: list[Row], activities: list[Row]) -> None:
        self._raise()
        self._queue.put((persons, activities))

    def drain(self) -> None:
        """Returns once every batch handed over is committed."""
        self._queue.join()
        self._raise()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._inner.close()
        self._raise()


def writer_for(engine: Engine) -> BatchWriter:
    if engine.dialect.name == "postgresql":
        return BackgroundWriter(PostgresWriter(engine))
    return SqliteWriter(engine)
