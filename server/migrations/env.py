"""Alembic environment: migrations run on the connection server.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from server.models import Base

config = context.config
connection: Connection | None = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through server.migrate (centrale-server migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
