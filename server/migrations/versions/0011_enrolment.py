"""Enrolment: registrations, verification codes, password resets

Revision ID: 0011
Revises: 0010

Also: `users.email` (where the professional is told of their account, and where a password-reset
link goes) and `professional_profiles.identifier_kind`. The `rpps` column of a profile holds the
national identifier whatever its kind, as `directory_persons.rpps` already does: 11 digits for an
RPPS number, 9 for an ADELI one (the lengths never collide), so that usual-professional ties,
matching and the directory lookups keep working unchanged for an ADELI-only professional.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_index("ix_users_email", "users", ["email"], unique=False)
    with op.batch_alter_table("professional_profiles") as batch:
        batch.add_column(
            sa.Column("identifier_kind", sa.String(length=5), nullable=False, server_default="rpps")
        )
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("identifier_kind", sa.String(length=5), nullable=False),
        sa.Column("identifier", sa.String(length=11), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("profession_code", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("commune_name", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.Column("address_line", sa.String(length=200), nullable=False),
        sa.Column("network_name", sa.String(length=120), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("client_token_hash", sa.String(length=64), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("directory", sa.JSON(), nullable=True),
        sa.Column("document_content_type", sa.String(length=40), nullable=True),
        sa.Column("document_size", sa.Integer(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("phone_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_registrations_network_id_networks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["users.id"],
            name=op.f("fk_registrations_reviewed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_registrations_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint("client_token_hash", name=op.f("uq_registrations_client_token_hash")),
    )
    op.create_index("ix_registrations_status", "registrations", ["status"], unique=False)
    op.create_index("ix_registrations_identifier", "registrations", ["identifier"], unique=False)
    op.create_index("ix_registrations_phone", "registrations", ["phone"], unique=False)
    op.create_index("ix_registrations_email", "registrations", ["email"], unique=False)
    op.create_index("ix_registrations_ip_created", "registrations", ["client_ip", "created_at"], unique=False)
    op.create_table(
        "registration_documents",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_documents_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_registration_documents")),
    )
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("lookup_hash", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_verification_codes_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_verification_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_codes")),
        sa.UniqueConstraint("lookup_hash", name=op.f("uq_verification_codes_lookup_hash")),
    )
    op.create_index(
        "ix_verification_codes_registration_id", "verification_codes", ["registration_id"], unique=False
    )
    op.create_index("ix_verification_codes_user_id", "verification_codes", ["user_id"], unique=False)
    op.create_index(
        "ix_verification_codes_ip_created", "verification_codes", ["client_ip", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_table("verification_codes")
    op.drop_table("registration_documents")
    op.drop_table("registrations")
    with op.batch_alter_table("professional_profiles") as batch:
        batch.drop_column("identifier_kind")
    op.drop_index("ix_users_email", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
