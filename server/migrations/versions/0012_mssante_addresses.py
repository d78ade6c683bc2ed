"""The national directory's MSSanté addresses (personal boxes by RPPS/ADELI, by import generation)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mssante_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("addresses", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mssante_imports")),
    )
    op.create_index(op.f("ix_mssante_imports_status"), "mssante_imports", ["status"], unique=False)
    op.create_table(
        "mssante_addresses",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("rpps", sa.String(11), nullable=False),
        sa.Column("id_type", sa.String(1), nullable=False),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=True),
        sa.Column("first_name", sa.String(100), nullable=True),
        sa.Column("profession_code", sa.String(2), nullable=True),
        sa.Column("dematerialised", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("generation", "seq", name=op.f("pk_mssante_addresses")),
    )
    op.create_index("ix_mssante_addresses_rpps", "mssante_addresses", ["generation", "rpps"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_mssante_addresses_rpps", table_name="mssante_addresses")
    op.drop_table("mssante_addresses")
    op.drop_index(op.f("ix_mssante_imports_status"), table_name="mssante_imports")
    op.drop_table("mssante_imports")
