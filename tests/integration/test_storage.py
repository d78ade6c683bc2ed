"""What the database itself guarantees: an append-only audit trail, a schema that matches the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from server.migrate import current_revision, head_revision
from server.models import Base
from tests.support.live import LiveServer


def test_the_audit_trail_refuses_update_and_delete(server: LiveServer) -> None:
    server.client().post("/auth/login", json={"username": "ghost-for-audit", "password": "whatever-it-is"})
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            count = conn.scalar(text("SELECT count(*) FROM audit_entries"))
            assert count is not None
            assert count > 0
        for statement in ("UPDATE audit_entries SET action = 'rewritten'", "DELETE FROM audit_entries"):
            with engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement))
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM audit_entries")) >= count
            assert conn.scalar(text("SELECT count(*) FROM audit_entries WHERE action = 'rewritten'")) == 0
    finally:
        engine.dispose()


def test_the_migrated_schema_matches_the_models(server: LiveServer) -> None:
    engine = create_engine(server.database_url)
    try:
        assert current_revision(engine) == head_revision(engine)
        with engine.connect() as conn:
            differences = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert differences == []
    finally:
        engine.dispose()
