"""Enrolment: registrations, verification codes, password resets

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the work on issue 16


def downgrade() -> None:
    pass
