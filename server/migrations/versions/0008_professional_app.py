"""The professionals' web app: care loop, care record, care preferences, communes served

- `care_visits`, `care_reports`: the acceptor's visits (« passages ») and reports (« CR »);
  `prescriptions.series_ended_at`: « Fin série de soins ».
- `patients.advance_directives`, `patients.trusted_persons`: the care record.
- `professional_profiles.care_visits`, `care_office` (« Pref. PeC »), `channels`; the band index
  carries the two preferences on PostgreSQL (matching stays an index-only scan).
- `professional_communes`: the communes a responder serves, keyed by commune for matching.
- `cases.requester_user_id`: the requester's account, filled from the stored requester.

New columns have server defaults, so rows written by older code or by bulk loads stay valid.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BAND_KEY = ["profession_code", "latitude", "longitude", "radius_km"]
BAND_INCLUDE = ["availability", "unavailable_until", "has_windows", "user_id"]
PREFERENCES = ["care_visits", "care_office"]
REQUESTER_USER_ID = {
    "postgresql": "CAST(requester->>'user_id' AS INTEGER)",
    "sqlite": "CAST(json_extract(requester, '$.user_id') AS INTEGER)",
}


def _band_index(include: list[str]) -> None:
    """The band index again, carrying `include` on PostgreSQL (SQLite has no INCLUDE)."""
    name, table = "ix_professional_profiles_area", "professional_profiles"
    op.drop_index(name, table_name=table)
    op.create_index(name, table, BAND_KEY, unique=False, postgresql_include=include)


def upgrade() -> None:
    own_columns: dict[str, list[sa.Column[object]]] = {
        "care_visits": [
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        ],
        "care_reports": [sa.Column("text", sa.Text(), nullable=False)],
    }
    for table, body in own_columns.items():
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("prescription_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            *body,
            sa.ForeignKeyConstraint(
                ["prescription_id"],
                ["prescriptions.id"],
                name=op.f(f"fk_{table}_prescription_id_prescriptions"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users")),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        op.create_index(f"ix_{table}_prescription_id", table, ["prescription_id"], unique=False)
    op.create_table(
        "professional_communes",
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["professional_profiles.user_id"],
            name=op.f("fk_professional_communes_user_id_professional_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("commune_insee", "user_id", name=op.f("pk_professional_communes")),
    )
    op.create_index("ix_professional_communes_user_id", "professional_communes", ["user_id"], unique=False)

    op.add_column("prescriptions", sa.Column("series_ended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("patients", sa.Column("advance_directives", sa.Text(), nullable=True))
    op.add_column(
        "patients", sa.Column("trusted_persons", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
    )
    for name in PREFERENCES:
        op.add_column(
            "professional_profiles", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.add_column(
        "professional_profiles",
        sa.Column("channels", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    _band_index([*BAND_INCLUDE, *PREFERENCES])

    op.add_column("cases", sa.Column("requester_user_id", sa.Integer(), nullable=True))
    op.create_index("ix_cases_requester_user_id", "cases", ["requester_user_id"], unique=False)
    extract = REQUESTER_USER_ID[op.get_bind().dialect.name]
    op.execute(f"UPDATE cases SET requester_user_id = {extract}")  # noqa: S608 - fixed text


def downgrade() -> None:
    op.drop_index("ix_cases_requester_user_id", table_name="cases")
    _band_index(BAND_INCLUDE)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("requester_user_id")
    with op.batch_alter_table("professional_profiles", schema=None) as batch_op:
        for name in ("channels", *PREFERENCES):
            batch_op.drop_column(name)
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("trusted_persons")
        batch_op.drop_column("advance_directives")
    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.drop_column("series_ended_at")
    op.drop_table("professional_communes")
    op.drop_table("care_reports")
    op.drop_table("care_visits")
