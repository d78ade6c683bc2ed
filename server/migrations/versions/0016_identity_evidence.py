"""Identity vigilance (RNIV): the evidence of each patient's status, the INSi answers received

`patients.identity_evidence`: the identity document checked (type, parent for a minor, who, when)
and the INSi answer cited (issue 17, item 15). The patients stored before it have no evidence:
their status is kept as it is (a later change must bring the evidence the status needs).
`insi_answers`: each identity the INSi teleservice returned, so that « récupérée » cites a real one.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("identity_evidence", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "insi_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("nir", sa.String(15), nullable=False),
        sa.Column("ins_oid", sa.String(32), nullable=False),
        sa.Column("birth_last_name", sa.String(100), nullable=False),
        sa.Column("birth_first_names", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("birth_place_insee", sa.String(5), nullable=False),
        sa.Column("asked_by", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asked_by"], ["users.id"], name=op.f("fk_insi_answers_asked_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insi_answers")),
        sa.UniqueConstraint("reference", name=op.f("uq_insi_answers_reference")),
    )
    op.create_index(op.f("ix_insi_answers_nir"), "insi_answers", ["nir"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_insi_answers_nir"), table_name="insi_answers")
    op.drop_table("insi_answers")
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("identity_evidence")
