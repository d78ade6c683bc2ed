"""Messaging (issue 20): threads, participants, messages (never updated nor deleted: refused by
triggers), attachments and their bytes, and the platform's retention setting (one row).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

IMMUTABLE = "messages are immutable"
PG_GUARD = f"""
CREATE FUNCTION messages_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{IMMUTABLE}';
END;
$$ LANGUAGE plpgsql
"""


def _moment(name: str, nullable: bool = True) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(120), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("prescription_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        _moment("created_at", nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=True),
        _moment("last_message_at", nullable=False),
        _moment("archived_at"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_threads_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["prescription_id"], ["prescriptions.id"], name=op.f("fk_threads_prescription_id_prescriptions")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_threads_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
    )
    op.create_index("ix_threads_patient_id", "threads", ["patient_id"])
    op.create_index("ix_threads_last_message_at", "threads", ["last_message_at"])
    op.create_table(
        "thread_participants",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _moment("joined_at", nullable=False),
        _moment("left_at"),
        sa.Column("left_message_id", sa.Integer(), nullable=True),
        sa.Column("last_read_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_thread_participants_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_thread_participants_user_id_users")),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_thread_participants")),
    )
    op.create_index("ix_thread_participants_user_thread", "thread_participants", ["user_id", "thread_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _moment("at", nullable=False),
        sa.Column("client_key", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_messages_thread_id_threads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_messages_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("author_id", "client_key", name=op.f("uq_messages_author_id")),
    )
    op.create_index("ix_messages_thread_id_id", "messages", ["thread_id", "id"])
    op.create_table(
        "message_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_attachments_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_message_attachments_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
    )
    op.create_index("ix_message_attachments_message_id", "message_attachments", ["message_id"])
    op.create_table(
        "message_attachment_blobs",
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["message_attachments.id"],
            name=op.f("fk_message_attachment_blobs_attachment_id_message_attachments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attachment_id", name=op.f("pk_message_attachment_blobs")),
    )
    settings = op.create_table(
        "messaging_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        _moment("updated_at"),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_messaging_settings_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_settings")),
    )
    op.bulk_insert(settings, [{"id": 1, "retention_days": 365}])
    _make_messages_immutable()


def _make_messages_immutable() -> None:
    """No UPDATE, no DELETE of a message, whoever asks (the platform's legal erasure, if ever, is
    done by the owner role with the triggers dropped, outside the application)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_GUARD)
        op.execute(
            "CREATE TRIGGER messages_no_change BEFORE UPDATE OR DELETE ON messages "
            "FOR EACH ROW EXECUTE FUNCTION messages_immutable()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER messages_no_{verb.lower()} BEFORE {verb} ON messages "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS messages_no_change ON messages")
        op.execute("DROP FUNCTION IF EXISTS messages_immutable()")
    else:
        op.execute("DROP TRIGGER IF EXISTS messages_no_update")
        op.execute("DROP TRIGGER IF EXISTS messages_no_delete")
    op.drop_table("messaging_settings")
    op.drop_table("message_attachment_blobs")
    op.drop_index("ix_message_attachments_message_id", table_name="message_attachments")
    op.drop_table("message_attachments")
    op.drop_index("ix_messages_thread_id_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_thread_participants_user_thread", table_name="thread_participants")
    op.drop_table("thread_participants")
    op.drop_index("ix_threads_last_message_at", table_name="threads")
    op.drop_index("ix_threads_patient_id", table_name="threads")
    op.drop_table("threads")
