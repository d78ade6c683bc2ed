"""PostgreSQL's two roles, as docs/deploy.md sets them up: the owner migrates and archives, the
server runs as the runtime role, which cannot TRUNCATE, UPDATE or DELETE the audit trail nor drop or
disable its triggers — and the server works normally under it. Two server processes writing the
trail at once keep one valid chain."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.support import postgres
from tests.support.dispatch import Desk, place
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, LiveServer, patient_body
from tests.support.server_process import ServerProcess


@dataclass
class TwoRoles:
    owner_url: str
    runtime_url: str
    runtime: str
    directory: Path

    def runtime_sql(self, statement: str) -> None:
        with psycopg.connect(self.runtime_url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(statement)


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(postgres.ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if postgres.required():
            pytest.fail(f"CI exige PostgreSQL : {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoRoles]:
    tag = secrets.token_hex(4)
    owner, runtime, database = f"centrale_owner_{tag}", f"centrale_app_{tag}", f"centrale_roles_{tag}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(owner)))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(runtime)))
        create = sql.SQL("CREATE DATABASE {} OWNER {}")
        conn.execute(create.format(sql.Identifier(database), sql.Identifier(owner)))
    host = postgres.ADMIN_URL.rsplit("@", 1)[1].rsplit("/", 1)[0]
    two = TwoRoles(
        f"postgresql+psycopg://{owner}@{host}/{database}",
        f"postgresql+psycopg://{runtime}@{host}/{database}",
        runtime,
        tmp_path_factory.mktemp("roles"),
    )
    owner_cli = ServerProcess(two.owner_url, two.directory)
    for args in (("migrate",), ("grant-runtime", "--role", runtime)):
        done = owner_cli.cli(*args)
        assert done.returncode == 0, done.stdout + done.stderr
    try:
        yield two
    finally:
        with _admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            for role in (runtime, owner):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture(scope="module")
def runtime_server(roles: TwoRoles) -> Iterator[LiveServer]:
    process = ServerProcess(roles.runtime_url, roles.directory / "runtime")
    created = process.cli(
        "create-user", "--username", ADMIN_USERNAME, "--role", "admin", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    process.start()
    live = LiveServer(process, "postgresql")
    try:
        yield live
    finally:
        live.close()
        process.stop()


RUNTIME_REFUSED = [
    "TRUNCATE audit_entries",
    "UPDATE audit_entries SET username = 'x'",
    "DELETE FROM audit_entries",
    "DROP TRIGGER audit_entries_no_change ON audit_entries",
    "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change",
    "ALTER TABLE audit_entries DISABLE TRIGGER ALL",
    "DROP TABLE audit_entries",
    "INSERT INTO audit_anchors (after_id, start_hash, through_id, last_hash, entries, before, "
    "archived_at, file_name, file_sha256) VALUES (0, 'x', 999999, 'x', 0, now(), now(), 'x', 'x')",
    "DELETE FROM audit_anchors",
    "UPDATE alembic_version SET version_num = '0001'",
]


def test_the_server_works_as_runtime_and_the_trail_is_out_of_its_reach(
    roles: TwoRoles, runtime_server: LiveServer
) -> None:
    desk = Desk.open(runtime_server)
    try:
        lat, lon = place()
        desk.responders(2, lat, lon)
        patient = desk.patient(lat, lon)
        sent = desk.send_one(patient["id"])
        assert sent["notified_count"] == 2
    finally:
        desk.close()
    entries = runtime_server.admin().get("/admin/audit", params={"patient_id": patient["id"]})
    assert entries.status_code == 200, entries.text
    assert {"patient_create", "case_create"} <= {e["action"] for e in entries.json()}

    for statement in RUNTIME_REFUSED:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            roles.runtime_sql(statement)
    verified = runtime_server.process.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # Archiving is the owner's: refused to the runtime role, nothing written nor removed.
    archive = roles.directory / "runtime-archive.jsonl.gz"
    refused = runtime_server.process.cli("audit", "archive", "--before", "2999-01-01", "--to", str(archive))
    assert refused.returncode == 2
    assert "rôle propriétaire" in refused.stderr
    assert not archive.exists()
    owner = ServerProcess(roles.owner_url, roles.directory)
    done = owner.cli("audit", "archive", "--before", "2999-01-01", "--to", str(archive))
    assert done.returncode == 0, done.stderr
    # The server keeps writing after the archive, the chain resuming from its anchor.
    assert runtime_server.admin().get("/admin/audit", params={"limit": 1}).status_code == 200
    after = owner.cli("audit", "verify", "--archive", str(archive))
    assert after.returncode == 0, after.stdout + after.stderr


def test_two_server_processes_keep_one_chain(roles: TwoRoles, runtime_server: LiveServer) -> None:
    second = ServerProcess(roles.runtime_url, roles.directory / "second")
    second.start()
    try:
        operator, _ = runtime_server.user("operator")
        token = runtime_server.login(operator["username"])
        created = runtime_server.client(token).post("/patients", json=patient_body())
        assert created.status_code == 201, created.text
        pid = created.json()["id"]

        def reads(base: ServerProcess, count: int) -> int:
            with base.client(token) as client:
                return sum(client.get(f"/patients/{pid}").status_code == 200 for _ in range(count))

        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(reads, p, 25) for p in (runtime_server.process, second) * 4]
            assert sum(f.result() for f in futures) == 200
    finally:
        second.stop()
    reads_audited = runtime_server.admin().get(
        "/admin/audit", params={"patient_id": pid, "action": "patient_read", "limit": 500}
    )
    assert len(reads_audited.json()) == 200
    verified = runtime_server.process.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
