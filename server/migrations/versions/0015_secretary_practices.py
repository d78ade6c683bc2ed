"""The practice of each secretary: `secretary_of(secretary_user_id, professional_user_id)`

A practice secretary sees the patients of her professionals only (issue 17, item 16): those of
their requests and those whose usual professional is one of them (server/services/practices.py).
Existing secretaries start with no professional: they see only what they created until an admin
sets their practice in the back office.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "secretary_of",
        sa.Column("secretary_user_id", sa.Integer(), nullable=False),
        sa.Column("professional_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["secretary_user_id"],
            ["users.id"],
            name=op.f("fk_secretary_of_secretary_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["professional_user_id"],
            ["users.id"],
            name=op.f("fk_secretary_of_professional_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("secretary_user_id", "professional_user_id", name=op.f("pk_secretary_of")),
    )
    op.create_index(
        op.f("ix_secretary_of_professional_user_id"), "secretary_of", ["professional_user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_secretary_of_professional_user_id"), table_name="secretary_of")
    op.drop_table("secretary_of")
