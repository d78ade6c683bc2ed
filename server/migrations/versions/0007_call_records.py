"""Call records of the operators' softphones

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("remote_number", sa.String(length=80), nullable=False),
        sa.Column("remote_raw", sa.String(length=200), nullable=False),
        sa.Column("remote_display_name", sa.String(length=200), nullable=False),
        sa.Column("local_number", sa.String(length=80), nullable=False),
        sa.Column("identification", sa.String(length=12), nullable=True),
        sa.Column("identified", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("end_code", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.String(length=200), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("case_numbers", sa.JSON(), nullable=False),
        sa.Column("sip_call_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_by", sa.Integer(), nullable=True),
        sa.Column("callback_note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["callback_by"], ["users.id"], name=op.f("fk_call_records_callback_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["users.id"], name=op.f("fk_call_records_operator_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_records")),
    )
    op.create_index("ix_call_records_operator_id", "call_records", ["operator_id"], unique=False)
    op.create_index("ix_call_records_remote_number", "call_records", ["remote_number"], unique=False)
    op.create_index("ix_call_records_started_at", "call_records", ["started_at"], unique=False)
    op.create_index(
        "ix_call_records_outcome_started", "call_records", ["outcome", "started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_table("call_records")
