"""Engine and sessions. SQLite is the embedded default, PostgreSQL the production database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Where server.services.feed records the events a transaction appended (read after commit here).
EVENT_SEQS_KEY = "centrale_event_seqs"


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
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


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
        self._commit_listeners: list[Callable[[list[int]], None]] = []
        event.listen(self._sessions, "after_commit", self._after_commit)
        event.listen(self._sessions, "after_rollback", self._after_rollback)

    def on_events_committed(self, listener: Callable[[list[int]], None]) -> None:
        """Call `listener(seqs)` after each commit that appended change-feed events."""
        self._commit_listeners.append(listener)

    def _after_commit(self, session: Session) -> None:
        seqs = session.info.pop(EVENT_SEQS_KEY, None)
        if seqs:
            for listener in self._commit_listeners:
                listener(list(seqs))

    def _after_rollback(self, session: Session) -> None:
        session.info.pop(EVENT_SEQS_KEY, None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back otherwise."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
