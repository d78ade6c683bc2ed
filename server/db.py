"""Engine and sessions. SQLite is the embedded default, PostgreSQL the production database."""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Where server.services.feed records the events a transaction appended (read after commit here).
EVENT_SEQS_KEY = "centrale_event_seqs"
# Set by server.notify.outbound when a transaction queued deliveries: the senders are woken after commit.
DELIVERIES_QUEUED_KEY = "centrale_deliveries_queued"
# SQLite's `synchronous` (see _sqlite_pragmas); PRAGMA synchronous reads it back as 2.
SQLITE_SYNCHRONOUS = "FULL"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin_immediate), as its docs advise.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: each commit waits for the WAL to reach the disk (fsync), so what the server acknowledged
    # (a case, an acceptance, an audit entry) survives a power loss, not only a killed process; in
    # WAL mode NORMAL syncs at checkpoints only and a power cut may lose the last commits. (EXTRA
    # adds nothing in WAL mode.) The cost: docs/server.md, bench.case_throughput --kind sqlite.
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    _ensure_math_functions(dbapi_connection)


# What matching computes in SQL (server/services/matching.py). SQLite ≥ 3.35 has them when built
# with SQLITE_ENABLE_MATH_FUNCTIONS, as Debian's and python.org's are; others get Python's.
SQLITE_MATH: dict[str, Callable[..., float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "asin": math.asin,
    "sqrt": math.sqrt,
    "radians": math.radians,
}


def _ensure_math_functions(dbapi_connection: Any) -> None:
    try:
        dbapi_connection.execute("SELECT sin(0), cos(0), asin(0), sqrt(0), radians(0)").fetchall()
    except sqlite3.OperationalError:
        for name, function in SQLITE_MATH.items():
            dbapi_connection.create_function(name, 1, function, deterministic=True)


def _sqlite_begin_immediate(connection: Any) -> None:
    # Take the write lock at the start of each transaction: a read-then-write transaction can
    # then never fail halfway with "database is locked"; concurrent writers queue on busy_timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.kind = "postgresql" if self.engine.dialect.name == "postgresql" else "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer, and every transaction here takes the write lock (BEGIN IMMEDIATE).
        # Queued on SQLite's busy handler, waiting transactions sleep and retry with growing pauses
        # (multi-second tails under a few concurrent requests); queued on a lock of this process,
        # each starts as soon as the previous one ends. Reentrant: a nested session behaves as it
        # would without it. Other processes (the CLI) still meet the busy timeout.
        self._writer: AbstractContextManager[Any] = (
            threading.RLock() if self.kind == "sqlite" else nullcontext()
        )
        self._commit_listeners: list[Callable[[int | None], None]] = []
        self._delivery_listeners: list[Callable[[], None]] = []
        event.listen(self._sessions, "after_commit", self._after_commit)
        event.listen(self._sessions, "after_rollback", self._after_rollback)

    def on_events_committed(self, listener: Callable[[int | None], None]) -> None:
        """Call `listener(last_seq)` after each commit that appended change-feed events; `last_seq`
        is the highest number among them, or None where numbers are given at commit (PostgreSQL)."""
        self._commit_listeners.append(listener)

    def on_deliveries_queued(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after each commit that queued deliveries (server/notify/outbound.py)."""
        self._delivery_listeners.append(listener)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(DELIVERIES_QUEUED_KEY, False):
            for wake in self._delivery_listeners:
                wake()
        seqs: list[int | None] | None = session.info.pop(EVENT_SEQS_KEY, None)
        if seqs:
            last = None if None in seqs else max(s for s in seqs if s is not None)
            for listener in self._commit_listeners:
                listener(last)

    def _after_rollback(self, session: Session) -> None:
        session.info.pop(EVENT_SEQS_KEY, None)
        session.info.pop(DELIVERIES_QUEUED_KEY, None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back otherwise."""
        with self._writer, self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
