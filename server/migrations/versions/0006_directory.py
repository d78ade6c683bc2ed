"""National directory (RPPS persons and activities, by import generation) and its imports

Search keys use the "C" collation on PostgreSQL so that their btree indexes serve prefix ranges
and ordering whatever the database's collation.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _key() -> sa.types.TypeEngine[str]:
    return sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "directory_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_imports")),
    )
    op.create_index(op.f("ix_directory_imports_status"), "directory_imports", ["status"], unique=False)
    op.create_table(
        "directory_persons",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("rpps", sa.String(11), nullable=False),
        sa.Column("id_type", sa.String(1), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=True),
        sa.Column("last_name_key", _key(), nullable=False),
        sa.Column("first_name_key", _key(), nullable=False),
        sa.Column("profession_code", sa.String(2), nullable=True),
        sa.Column("profession", sa.String(100), nullable=True),
        sa.Column("specialty_code", sa.String(8), nullable=True),
        sa.Column("specialty", sa.String(150), nullable=True),
        sa.Column("commune", sa.String(100), nullable=True),
        sa.Column("postal_code", sa.String(5), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("generation", "rpps", name=op.f("pk_directory_persons")),
    )
    op.create_index(
        "ix_directory_persons_last_name",
        "directory_persons",
        ["generation", "last_name_key", "first_name_key", "profession_code", "rpps"],
        unique=False,
    )
    op.create_index(
        "ix_directory_persons_first_name",
        "directory_persons",
        ["generation", "first_name_key", "last_name_key", "profession_code", "rpps"],
        unique=False,
    )
    op.create_table(
        "directory_activities",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("rpps", sa.String(11), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("mode_code", sa.String(2), nullable=True),
        sa.Column("site_name", sa.String(200), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("postal_code", sa.String(5), nullable=True),
        sa.Column("commune_insee", sa.String(5), nullable=True),
        sa.Column("commune", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("phone2", sa.String(20), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.PrimaryKeyConstraint("generation", "rpps", "seq", name=op.f("pk_directory_activities")),
    )
    op.create_index(
        "ix_directory_activities_phone", "directory_activities", ["generation", "phone"], unique=False
    )
    op.create_index(
        "ix_directory_activities_phone2", "directory_activities", ["generation", "phone2"], unique=False
    )


def downgrade() -> None:
    op.drop_table("directory_activities")
    op.drop_table("directory_persons")
    op.drop_index(op.f("ix_directory_imports_status"), table_name="directory_imports")
    op.drop_table("directory_imports")
