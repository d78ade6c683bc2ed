"""PostgreSQL's two roles: the owner migrates, the runtime role serves (docs/deploy.md).

`grant_runtime` is run by the owner (`centrale-server grant-runtime --role NAME`), after each
`migrate` (it is idempotent): the runtime role reads and writes the application's tables, but may
only INSERT and SELECT the audit trail, only SELECT the archive anchors and the schema version, and
owns nothing, so it can neither TRUNCATE the trail nor drop or disable its triggers. Default
privileges give it the same rights on the tables and sequences later migrations create.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Tables the runtime role may only read and append to, or only read.
APPEND_ONLY = ("audit_entries",)
READ_ONLY = ("audit_anchors", "alembic_version")


class RoleRefused(Exception):
    """The grants were not applied (French message)."""


def grant_runtime(engine: Engine, role: str) -> list[str]:
    """Apply the runtime role's rights; returns the statements run."""
    if engine.dialect.name != "postgresql":
        raise RoleRefused("Les deux rôles ne concernent que PostgreSQL")
    if not ROLE_NAME.match(role):
        raise RoleRefused(f"Nom de rôle invalide : {role!r} (lettres minuscules, chiffres, _)")
    quoted = engine.dialect.identifier_preparer.quote(role)
    with engine.begin() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if not exists:
            raise RoleRefused(f"Le rôle {role} n'existe pas : créez-le d'abord (createuser)")
        me = conn.scalar(text("SELECT current_user"))
        if me == role:
            raise RoleRefused("Le rôle d'exécution doit être distinct du rôle propriétaire")
        name = str(conn.scalar(text("SELECT current_database()")))
        database = engine.dialect.identifier_preparer.quote(name)
        statements = [
            f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {quoted}",
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {', '.join(APPEND_ONLY)} FROM {quoted}",
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER "
            f"ON {', '.join(READ_ONLY)} FROM {quoted}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {quoted}",
        ]
        for statement in statements:
            conn.execute(text(statement))
        owns = conn.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = :r"),
            {"r": role},
        )
        if owns:
            raise RoleRefused(
                f"Le rôle {role} possède des tables : il pourrait désactiver les protections du "
                "journal d'audit. Donnez-les au rôle propriétaire (REASSIGN OWNED)"
            )
    return statements
