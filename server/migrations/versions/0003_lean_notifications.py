"""Lean notifications: keyed by (prescription, round, responder), no foreign keys, one open index

A round inserts hundreds of notification rows (thousands in a city), so each index and check
per row counts. Before: a surrogate `id` key, a unique key on (prescription_id, round, user_id),
an index on prescription_id (a prefix of that key), one on user_id, and two foreign keys that
PostgreSQL checked with a locked lookup per row (about a third of the insert). Now the natural
key is the primary key, and responders find their open offers through a partial index (answer
IS NULL), which also stays small. Neither users nor prescriptions are ever deleted (users are
deactivated; prescriptions are health records), and only the dispatch engine writes these rows,
from a prescription it has just written or locked and from `professional_profiles`.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

KEY = ["prescription_id", "round", "user_id"]


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_prescription_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_user_id"))
        batch_op.drop_constraint(batch_op.f("fk_notifications_user_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_prescription_id_prescriptions"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_notification", type_="unique")
        batch_op.drop_constraint(batch_op.f("pk_notifications"), type_="primary")
        batch_op.drop_column("id")
        batch_op.create_primary_key(batch_op.f("pk_notifications"), KEY)
        batch_op.create_index(
            "ix_notifications_open",
            ["user_id"],
            unique=False,
            postgresql_where=sa.text("answer IS NULL"),
            sqlite_where=sa.text("answer IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_open")
        batch_op.drop_constraint(batch_op.f("pk_notifications"), type_="primary")
        batch_op.add_column(sa.Column("id", sa.Integer(), autoincrement=True, nullable=False))
        batch_op.create_primary_key(batch_op.f("pk_notifications"), ["id"])
        batch_op.create_unique_constraint("uq_notification", KEY)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_prescription_id_prescriptions"),
            "prescriptions",
            ["prescription_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_user_id_users"), "users", ["user_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notifications_prescription_id"), ["prescription_id"], unique=False
        )
