"""Throw-away PostgreSQL databases for a test run.

The server is expected on 127.0.0.1:5432 with trust auth (CENTRALE_TEST_PG_URL overrides the
admin URL). When CI is set, a missing PostgreSQL fails the run instead of skipping its tests.
"""

from __future__ import annotations

import os
import secrets

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get("CENTRALE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


class PostgresUnavailable(RuntimeError):
    pass


def _connect() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise PostgresUnavailable(f"PostgreSQL injoignable ({ADMIN_URL}) : {exc}") from exc


def create_database(prefix: str = "centrale_test") -> str:
    """Create an empty database; returns its SQLAlchemy URL."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with _connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def required() -> bool:
    return bool(os.environ.get("CI"))
