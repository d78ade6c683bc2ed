"""The hotline's call distribution (issue 19): operators' states, their history, the hotline's calls
and their events, the hotline's settings (one row, its defaults), and on call records the wrap-up's
qualification, a lost call's wait in the queue and no operator for such a call.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

DEFAULT_PAUSE_REASONS = [
    {"code": "repas", "label": "Repas"},
    {"code": "formation", "label": "Formation"},
    {"code": "administratif", "label": "Administratif"},
    {"code": "autre", "label": "Autre"},
    {"code": "unanswered", "label": "Appels non répondus"},
]
DEFAULT_QUALIFICATIONS = [
    {"code": "declenchement_cree", "label": "Déclenchement créé"},
    {"code": "renseignement", "label": "Renseignement"},
    {"code": "erreur_numero", "label": "Erreur de numéro"},
    {"code": "rappel_prevu", "label": "Rappel prévu"},
    {"code": "autre", "label": "Autre"},
]


def _moment(name: str, nullable: bool = True) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "agent_states",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        _moment("since", nullable=False),
        sa.Column("pause_reason", sa.String(40), nullable=True),
        sa.Column("automatic", sa.String(20), nullable=True),
        sa.Column("sip_user", sa.String(64), nullable=True),
        sa.Column("call_id", sa.String(200), nullable=True),
        sa.Column("caller", sa.String(200), nullable=False),
        _moment("idle_since"),
        sa.Column("unanswered_in_row", sa.Integer(), nullable=False),
        sa.Column("reserved_call_id", sa.String(200), nullable=True),
        _moment("reserved_until"),
        _moment("connected_until"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_agent_states_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agent_states")),
        sa.UniqueConstraint("sip_user", name=op.f("uq_agent_states_sip_user")),
    )
    op.create_table(
        "agent_state_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("pause_reason", sa.String(40), nullable=True),
        sa.Column("automatic", sa.String(20), nullable=True),
        _moment("started_at", nullable=False),
        _moment("ended_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_agent_state_periods_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_state_periods")),
    )
    op.create_index("ix_agent_state_periods_user_id", "agent_state_periods", ["user_id"])
    op.create_index("ix_agent_state_periods_started_at", "agent_state_periods", ["started_at"])
    op.create_table(
        "hotline_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(200), nullable=False),
        sa.Column("caller_number", sa.String(80), nullable=False),
        sa.Column("caller_name", sa.String(200), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        _moment("arrived_at", nullable=False),
        _moment("queued_at"),
        sa.Column("offered_to", sa.Integer(), nullable=True),
        _moment("offered_until"),
        _moment("answered_at"),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        _moment("ended_at"),
        sa.Column("wait_seconds", sa.Float(), nullable=True),
        sa.Column("call_record_id", sa.String(36), nullable=True),
        sa.ForeignKeyConstraint(["offered_to"], ["users.id"], name=op.f("fk_hotline_calls_offered_to_users")),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_hotline_calls_answered_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_calls")),
        sa.UniqueConstraint("call_id", name=op.f("uq_hotline_calls_call_id")),
    )
    op.create_index("ix_hotline_calls_arrived_at", "hotline_calls", ["arrived_at"])
    op.create_index("ix_hotline_calls_state_queued", "hotline_calls", ["state", "queued_at"])
    op.create_table(
        "hotline_call_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("sip_user", sa.String(64), nullable=False),
        _moment("at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_call_events")),
        sa.UniqueConstraint("call_id", "kind", "sip_user", name="uq_hotline_call_events_key"),
    )
    settings = op.create_table(
        "hotline_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pause_reasons", sa.JSON(), nullable=False),
        sa.Column("qualifications", sa.JSON(), nullable=False),
        sa.Column("wrap_up_seconds", sa.Integer(), nullable=False),
        sa.Column("unanswered_limit", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(20), nullable=False),
        sa.Column("ring_seconds", sa.Integer(), nullable=False),
        sa.Column("service_level_seconds", sa.Integer(), nullable=False),
        sa.Column("service_level_target_percent", sa.Integer(), nullable=False),
        _moment("updated_at"),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_hotline_settings_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_settings")),
    )
    op.bulk_insert(
        settings,
        [
            {
                "id": 1,
                "pause_reasons": DEFAULT_PAUSE_REASONS,
                "qualifications": DEFAULT_QUALIFICATIONS,
                "wrap_up_seconds": 30,
                "unanswered_limit": 3,
                "strategy": "longest_idle",
                "ring_seconds": 15,
                "service_level_seconds": 20,
                "service_level_target_percent": 80,
            }
        ],
    )
    with op.batch_alter_table("call_records") as batch:
        batch.alter_column("operator_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("qualification", sa.String(40), nullable=True))
        batch.add_column(sa.Column("queue_wait_seconds", sa.Float(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM call_records WHERE operator_id IS NULL")
    with op.batch_alter_table("call_records") as batch:
        batch.drop_column("queue_wait_seconds")
        batch.drop_column("qualification")
        batch.alter_column("operator_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("hotline_settings")
    op.drop_table("hotline_call_events")
    op.drop_index("ix_hotline_calls_state_queued", table_name="hotline_calls")
    op.drop_index("ix_hotline_calls_arrived_at", table_name="hotline_calls")
    op.drop_table("hotline_calls")
    op.drop_index("ix_agent_state_periods_started_at", table_name="agent_state_periods")
    op.drop_index("ix_agent_state_periods_user_id", table_name="agent_state_periods")
    op.drop_table("agent_state_periods")
    op.drop_table("agent_states")
