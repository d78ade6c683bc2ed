"""Login limits counted in place; a signing secret per webhook

`login_counters` (server/models/login_limits.py): one row per username × source, per source, per
username and for the platform, updated by an upsert per attempt (issue 17, items 4 and 5).
`professional_profiles.webhook_secret`: the HMAC-SHA256 key of each responder's webhook deliveries
(item 12); the webhooks registered before it get one now, so that every delivery is signed.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_counters",
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("blocks", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "username", "source", name=op.f("pk_login_counters")),
    )
    op.add_column("professional_profiles", sa.Column("webhook_secret", sa.String(64), nullable=True))
    bind = op.get_bind()
    profiles = sa.table(
        "professional_profiles", sa.column("user_id"), sa.column("webhook_url"), sa.column("webhook_secret")
    )
    ids = bind.execute(sa.select(profiles.c.user_id).where(profiles.c.webhook_url.is_not(None))).scalars()
    for user_id in list(ids):
        bind.execute(
            profiles.update()
            .where(profiles.c.user_id == user_id)
            .values(webhook_secret=secrets.token_hex(32))
        )


def downgrade() -> None:
    with op.batch_alter_table("professional_profiles", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret")
    op.drop_table("login_counters")
