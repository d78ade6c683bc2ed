"""Tables of the local store, and the migrations that bring an older file up to date.

The version lives in ``meta.schema_version``; each migration is a function run in one
transaction, in order, from the file's version to ``SCHEMA_VERSION``. Add a migration rather
than changing an existing one: a desktop may open a file written by any earlier release.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("entry", String(20), nullable=False),
    Column("step", Integer, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("data", Text, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(36), nullable=False, unique=True),
    Column("draft_id", String(36), nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("state", String(10), nullable=False),
    Column("reason", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", String(40), nullable=True),
    Column("patient_id", Integer, nullable=True),
    Column("patient_create", Text, nullable=True),
    Column("patient_patch", Text, nullable=True),
    Column("patient_patch_done", Boolean, nullable=False, default=False),
    Column("usual_professionals", Text, nullable=True),
    Column("usual_done", Boolean, nullable=False, default=False),
    Column("case_body", Text, nullable=False),
    Column("call_record_id", String(36), nullable=True),
    Column("result", Text, nullable=True),
    Column("acknowledged", Boolean, nullable=False, default=False),
    Column("wizard", Text, nullable=True),  # the wizard as sent (version 2): reopened after a refusal
    # what the item sends (version 3): "case" (a « Déclencher ») or "call_record" (a call's record, in
    # case_body, sent to POST /calls): one outbox, one pusher, for both
    Column("kind", String(20), nullable=False, server_default="case"),
    # once sent (version 4): the patient's name left on the line of « Mes envois » when the rest was
    # erased (desktop/store/retention.py); NULL while the item's details are still kept
    Column("summary", Text, nullable=True),
)

feed_position = Table(
    "feed_position",
    metadata,
    Column("stream", String(50), primary_key=True),
    Column("seq", Integer, nullable=False),
)

cache = Table(
    "cache",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("stored_at", String(40), nullable=False),
)


def _version_1(connection: Connection) -> None:
    metadata.create_all(connection, tables=[drafts, outbox, feed_position, cache])


def _version_2(connection: Connection) -> None:
    """The outbox keeps the wizard it came from (a refused item is reopened with every field)."""
    columns = {column["name"] for column in inspect(connection).get_columns("outbox")}
    if "wizard" not in columns:  # a file made by version 1 (a new file has it from create_all)
        connection.exec_driver_sql("ALTER TABLE outbox ADD COLUMN wizard TEXT")


def _version_3(connection: Connection) -> None:
    """Call records go through the outbox too: each item says what it sends."""
    columns = {column["name"] for column in inspect(connection).get_columns("outbox")}
    if "kind" not in columns:  # a file made by version 1 or 2
        connection.exec_driver_sql("ALTER TABLE outbox ADD COLUMN kind VARCHAR(20) NOT NULL DEFAULT 'case'")


def _version_4(connection: Connection) -> None:
    """A sent item keeps only its line (``summary``); its details are erased on opening."""
    columns = {column["name"] for column in inspect(connection).get_columns("outbox")}
    if "summary" not in columns:  # a file made by versions 1 to 3
        connection.exec_driver_sql("ALTER TABLE outbox ADD COLUMN summary TEXT")


MIGRATIONS: list[Callable[[Connection], None]] = [_version_1, _version_2, _version_3, _version_4]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(connection: Connection) -> int:
    meta.create(connection, checkfirst=True)
    row = connection.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0


def migrate(connection: Connection) -> int:
    """Brings the file to ``SCHEMA_VERSION``; returns the version found before."""
    found = current_version(connection)
    if found > SCHEMA_VERSION:
        raise RuntimeError(
            f"Le fichier local est d'une version plus récente ({found}) que cette application "
            f"({SCHEMA_VERSION}) : mettez l'application à jour"
        )
    for version in range(found, SCHEMA_VERSION):
        MIGRATIONS[version](connection)
    if found != SCHEMA_VERSION:
        connection.execute(meta.delete().where(meta.c.key == "schema_version"))
        connection.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
    return found
