"""The audit trail nobody can rewrite: hash chain, archive anchors, no REPLACE/TRUNCATE

Each entry gets `prev_hash` and `entry_hash` (server/security/audit_chain.py); the entries already
there are chained in id order from the genesis. `audit_anchors` records each archive of the oldest
entries (where the chain resumes); it is append-only too. A DELETE on `audit_entries` is refused
unless an anchor covers the row (an archive, run by the owner role: the runtime role has no DELETE
at all). SQLite: `INSERT OR REPLACE` used to delete the old row silently (its DELETE trigger does
not fire without recursive_triggers): an INSERT that reuses an id, or comes without its hashes, is
now refused. PostgreSQL: TRUNCATE is refused by a trigger as well as by the grants
(`centrale-server grant-runtime`, docs/deploy.md).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from server.models.base import UtcDateTime
from server.security.audit_chain import CHAINED_COLUMNS, GENESIS_HASH, link_hash

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_entries is append-only"

PG_ENTRIES_GUARD = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_anchors WHERE through_id >= OLD.id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_entries is append-only';
END;
$$ LANGUAGE plpgsql
"""
PG_STATEMENT_GUARD = """
CREATE FUNCTION audit_refuse_statement() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("after_id", sa.Integer(), nullable=False),
        sa.Column("start_hash", sa.String(64), nullable=False),
        sa.Column("through_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")),
        sa.UniqueConstraint("through_id", name=op.f("uq_audit_anchors_through_id")),
    )
    op.add_column("audit_entries", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("audit_entries", sa.Column("entry_hash", sa.String(64), nullable=True))
    if postgres:
        op.execute("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change")
        _chain_existing_entries()
        op.execute("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_change")
        op.execute("ALTER TABLE audit_entries ALTER COLUMN prev_hash SET NOT NULL")
        op.execute("ALTER TABLE audit_entries ALTER COLUMN entry_hash SET NOT NULL")
        _postgres_guards()
    else:
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute("DROP TRIGGER audit_entries_no_delete")
        _chain_existing_entries()
        # SQLite cannot add NOT NULL to a column in place: the table is rebuilt (its triggers go with
        # the old table, so the guards are created after), as the models declare the hashes required.
        with op.batch_alter_table("audit_entries", recreate="always") as batch:
            batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
            batch.alter_column("entry_hash", existing_type=sa.String(64), nullable=False)
        _sqlite_guards()


def _chain_existing_entries() -> None:
    bind = op.get_bind()
    typed = sa.table(
        "audit_entries",
        *(sa.column(name) for name in CHAINED_COLUMNS if name not in ("at", "detail")),
        sa.column("at", UtcDateTime()),
        sa.column("detail", sa.JSON()),
        sa.column("prev_hash"),
        sa.column("entry_hash"),
    )
    columns = [typed.c[name] for name in CHAINED_COLUMNS]
    prev = GENESIS_HASH
    links: list[dict[str, Any]] = []
    for row in bind.execute(sa.select(*columns).order_by(typed.c.id)).mappings():
        entry_hash = link_hash(prev, dict(row))
        links.append({"entry_id": row["id"], "prev_hash": prev, "entry_hash": entry_hash})
        prev = entry_hash
    if links:
        bind.execute(
            typed.update()
            .where(typed.c.id == sa.bindparam("entry_id"))
            .values(prev_hash=sa.bindparam("prev_hash"), entry_hash=sa.bindparam("entry_hash")),
            links,
        )


def _postgres_guards() -> None:
    op.execute(PG_ENTRIES_GUARD)
    op.execute(PG_STATEMENT_GUARD)
    op.execute(
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_statement()"
    )
    op.execute(
        "CREATE TRIGGER audit_anchors_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_anchors "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_statement()"
    )
    # Nobody but the owner gets rights by default; the runtime role's are granted explicitly.
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries, audit_anchors FROM PUBLIC")


def _sqlite_guards() -> None:
    refuse = f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    op.execute(f"CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries {refuse}")
    op.execute(
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries WHEN NOT EXISTS "  # noqa: S608 - constants, no input
        f"(SELECT 1 FROM audit_anchors WHERE through_id >= OLD.id) {refuse}"
    )
    # INSERT OR REPLACE on an existing id deletes the old row without firing the DELETE trigger.
    op.execute(
        "CREATE TRIGGER audit_entries_no_replace BEFORE INSERT ON audit_entries WHEN "  # noqa: S608 - constants, no input
        "NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_entries WHERE id = NEW.id) "
        f"{refuse}"
    )
    op.execute(
        "CREATE TRIGGER audit_entries_chained BEFORE INSERT ON audit_entries WHEN "
        "NEW.prev_hash IS NULL OR NEW.entry_hash IS NULL "
        "BEGIN SELECT RAISE(ABORT, 'audit_entries: an entry must be chained'); END"
    )
    anchors_refuse = "BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END"
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_anchors_no_{verb.lower()} BEFORE {verb} ON audit_anchors {anchors_refuse}"
        )
    op.execute(
        "CREATE TRIGGER audit_anchors_no_replace BEFORE INSERT ON audit_anchors WHEN "  # noqa: S608 - constants, no input
        "EXISTS (SELECT 1 FROM audit_anchors WHERE id = NEW.id OR through_id = NEW.through_id) "
        f"{anchors_refuse}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER IF EXISTS audit_anchors_no_change ON audit_anchors")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_statement()")
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END; $$ LANGUAGE plpgsql"
        )
        op.drop_table("audit_anchors")
        op.execute("ALTER TABLE audit_entries DROP COLUMN entry_hash")
        op.execute("ALTER TABLE audit_entries DROP COLUMN prev_hash")
        return
    for name in ("no_update", "no_delete", "no_replace", "chained"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_entries_{name}")
    op.drop_table("audit_anchors")
    op.execute("ALTER TABLE audit_entries DROP COLUMN entry_hash")
    op.execute("ALTER TABLE audit_entries DROP COLUMN prev_hash")
    refuse = f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries {refuse}")
