"""Bulk writes of directory rows: COPY on PostgreSQL (psycopg), executemany on SQLite.

Each batch commits on its own: rows belong to a generation nobody reads until the import's final
commit, so a batch commit exposes nothing and keeps SQLite's write lock short for the server.
"""

from __future__ import annotations

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

    def close(self) -> None:
        self._conn.execute("PRAGMA cache_size = -2000")
        self._raw.close()


def writer_for(engine: Engine) -> BatchWriter:
    if engine.dialect.name == "postgresql":
        return PostgresWriter(engine)
    return SqliteWriter(engine)
