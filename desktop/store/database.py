"""The local store: one SQLite file (SQLAlchemy 2 Core), created and migrated on opening.

The file is the operator's alone (``0600`` in a ``0700`` directory, ``private_files``) and keeps
patient data only while it is needed (``retention``: a sent item's details erased at once, its
line after a grace); both are enforced again at every opening."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.pool import StaticPool

from desktop.store import retention, schema
from desktop.store.outbox import Outbox
from desktop.store.private_files import private_file


def utc_now() -> datetime:
    return datetime.now(UTC)


class LocalStore:
    def __init__(self, path: Path | None) -> None:
        """``path`` None: an in-memory store (tests)."""
        if path is None:
            self.engine: Engine = create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            self.engine = create_engine(f"sqlite:///{private_file(path)}")
        event.listen(self.engine, "connect", _pragmas)
        with self.engine.begin() as connection:
            self.found_version = schema.migrate(connection)
        self.outbox = Outbox(self.engine)
        self.purge()

    def purge(self, now: datetime | None = None) -> int:
        """The sent items' details erased (a file from an older release kept them) and their lines
        past the grace deleted (``now``: tests); returns how many lines went. Unsent items stay."""
        with self.engine.begin() as connection:
            erased = retention.erase_sent_details(connection)
            deleted = retention.delete_old_sent_lines(connection, now)
        if erased or deleted:
            with self.engine.connect() as connection:
                retention.checkpoint(connection)
        return deleted

    def close(self) -> None:
        self.engine.dispose()

    # ---- drafts -----------------------------------------------------------------------------------
    def save_draft(self, draft: dict[str, Any]) -> None:
        """Upserts a wizard draft (``Wizard.to_json()``); called on every change of the wizard."""
        row = {
            "id": draft["draft_id"],
            "entry": draft["entry"],
            "step": draft["step"],
            "updated_at": utc_now().isoformat(),
            "data": json.dumps(draft, ensure_ascii=False),
        }
        with self.engine.begin() as connection:
            updated = connection.execute(
                schema.drafts.update().where(schema.drafts.c.id == row["id"]).values(**row)
            ).rowcount
            if not updated:
                connection.execute(schema.drafts.insert().values(**row))

    def drafts(self) -> list[dict[str, Any]]:
        """Unfinished wizards, the most recent first (offered for resuming at start-up)."""
        query = select(schema.drafts.c.data).order_by(schema.drafts.c.updated_at.desc())
        with self.engine.connect() as connection:
            return [json.loads(row[0]) for row in connection.execute(query)]

    def draft(self, draft_id: str) -> dict[str, Any] | None:
        query = select(schema.drafts.c.data).where(schema.drafts.c.id == draft_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return json.loads(row[0]) if row else None

    def delete_draft(self, draft_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(schema.drafts.delete().where(schema.drafts.c.id == draft_id))

    # ---- change-feed position -----------------------------------------------------------------------
    def feed_position(self, stream: str = "events") -> int:
        query = select(schema.feed_position.c.seq).where(schema.feed_position.c.stream == stream)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return int(row[0]) if row else 0

    def feed_started(self, stream: str = "events") -> bool:
        """Whether a position was ever stored for ``stream`` (a new store has none)."""
        query = select(schema.feed_position.c.seq).where(schema.feed_position.c.stream == stream)
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def set_feed_position(self, seq: int, stream: str = "events") -> None:
        table = schema.feed_position
        with self.engine.begin() as connection:
            moved = connection.execute(table.update().where(table.c.stream == stream).values(seq=seq))
            if not moved.rowcount:
                connection.execute(table.insert().values(stream=stream, seq=seq))

    # ---- cache --------------------------------------------------------------------------------------
    def cache_put(self, key: str, value: Any) -> None:
        table = schema.cache
        row = {"value": json.dumps(value, ensure_ascii=False), "stored_at": utc_now().isoformat()}
        with self.engine.begin() as connection:
            if not connection.execute(table.update().where(table.c.key == key).values(**row)).rowcount:
                connection.execute(table.insert().values(key=key, **row))

    def cache_get(self, key: str, max_age_seconds: float | None = None) -> Any | None:
        query = select(schema.cache.c.value, schema.cache.c.stored_at).where(schema.cache.c.key == key)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        age = (utc_now() - datetime.fromisoformat(row[1])).total_seconds()
        if max_age_seconds is not None and age > max_age_seconds:
            return None
        return json.loads(row[0])


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # a reader never blocks the autosave
    cursor.execute("PRAGMA synchronous=FULL")  # a committed draft survives a power cut
    cursor.execute("PRAGMA secure_delete=ON")  # what is deleted or erased is overwritten, not left
    cursor.close()
