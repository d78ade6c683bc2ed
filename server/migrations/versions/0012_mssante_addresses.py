"""The national directory's MSSanté addresses

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the work on issue 16


def downgrade() -> None:
    pass
