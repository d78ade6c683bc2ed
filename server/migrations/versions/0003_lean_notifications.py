"""Lean notifications: no foreign keys, no index duplicating the unique key's prefix

A round inserts hundreds of notification rows (thousands in a city); PostgreSQL checked both
foreign keys once per row (a locked lookup each: about a third of the insert's time) and kept
an index that `uq_notification (prescription_id, round, user_id)` already covers. Neither
users nor prescriptions are ever deleted (users are deactivated; prescriptions are health
records), and the rows are only ever written by the dispatch engine, from a prescription it has
just written or locked and from `professional_profiles`, whose key is a user id.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_prescription_id"))
        batch_op.drop_constraint(batch_op.f("fk_notifications_user_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_prescription_id_prescriptions"), type_="foreignkey"
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
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
        batch_op.create_index(
            batch_op.f("ix_notifications_prescription_id"), ["prescription_id"], unique=False
        )
