"""`centrale-server` commands and the server process itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from server.models import Patient, ProfessionalProfile, User, UsualProfessional
from tests.integration.conftest import database_url
from tests.support import postgres
from tests.support.live import PASSWORD, LiveServer, unique
from tests.support.server_process import ServerProcess


def test_health_reports_the_database_kind(server: LiveServer) -> None:
    response = server.client().get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == server.kind
    assert body["version"] == "0.1.0"


def test_openapi_document_is_served(server: LiveServer) -> None:
    spec = server.client().get("/openapi.json").json()
    assert "/api/v1/patients/{patient_id}" in spec["paths"]
    assert "/api/v1/auth/login" in spec["paths"]


def test_migrate_is_idempotent(server: LiveServer) -> None:
    for _ in range(2):
        result = server.process.cli("migrate")
        assert result.returncode == 0, result.stderr
        assert f"Schéma à jour ({server.kind})" in result.stdout


def test_create_user_from_the_command_line(server: LiveServer) -> None:
    network = unique("Réseau CLI ")
    assert server.admin().post("/admin/networks", json={"name": network}).status_code == 201
    name = unique("cli")
    result = server.process.cli(
        "create-user",
        "--username",
        name,
        "--role",
        "supervisor",
        "--password-stdin",
        "--display-name",
        "Superviseuse CLI",
        "--network",
        network,
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert f"Utilisateur « {name} » créé (rôle supervisor" in result.stdout
    me = server.client(server.login(name)).get("/auth/me").json()
    assert me["display_name"] == "Superviseuse CLI"
    assert len(me["network_ids"]) == 1


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "supervisor", "--password-stdin"], "court\n", "trop court (12 caractère(s) au moins)"),
        (
            ["--role", "operator", "--password-stdin", "--network", "Réseau inexistant"],
            PASSWORD + "\n",
            "réseau inconnu « Réseau inexistant »",
        ),
    ],
)
def test_create_user_refusals_are_clear(
    server: LiveServer, args: list[str], stdin: str, message: str
) -> None:
    result = server.process.cli("create-user", "--username", unique("cli"), *args, stdin=stdin)
    assert result.returncode == 1
    assert message in result.stderr


def test_create_user_refuses_a_taken_username_and_an_unknown_role(server: LiveServer) -> None:
    taken = server.process.cli(
        "create-user", "--username", "admin", "--role", "admin", "--password", PASSWORD
    )
    assert taken.returncode == 1
    assert "L'identifiant « admin » est déjà pris" in taken.stderr
    bad_role = server.process.cli(
        "create-user", "--username", "x-user", "--role", "king", "--password", PASSWORD
    )
    assert bad_role.returncode == 2
    assert "invalid choice: 'king'" in bad_role.stderr


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    url = database_url(request.param, tmp_path)
    yield url, tmp_path
    if request.param == "postgresql":
        postgres.drop_database(url)


def test_seed_demo_is_idempotent_and_gives_a_usable_demo(empty_database: tuple[str, Path]) -> None:
    url, directory = empty_database
    process = ServerProcess(url, directory)
    first = process.cli("seed-demo")
    assert first.returncode == 0, first.stderr
    assert "Données de démonstration chargées." in first.stdout
    second = process.cli("seed-demo")
    assert "Données de démonstration déjà présentes." in second.stdout
    engine = create_engine(url)
    with engine.connect() as conn:
        roles = dict(conn.execute(select(User.role, func.count()).group_by(User.role)).all())
        professions = set(conn.scalars(select(ProfessionalProfile.profession_code)))
        departments = {code[:2] for code in conn.scalars(select(ProfessionalProfile.commune_insee)) if code}
        patients = conn.scalar(select(func.count()).select_from(Patient))
        with_usual = conn.scalar(select(func.count(func.distinct(UsualProfessional.patient_id))))
    engine.dispose()
    # 36 simulated responders and the two nurses of the web app (server/demo_data.py).
    assert roles == {"admin": 1, "operator": 1, "secretary": 1, "supervisor": 1, "professional": 38}
    assert {"10", "60", "70", "21", "50"} <= professions
    assert {"91", "2A", "2B"} <= departments
    assert patients == 8
    assert with_usual == 6
    process.start()
    try:
        from server.demo_data import DEMO_LOGINS

        for username, password, role in DEMO_LOGINS:
            response = process.client().post("/auth/login", json={"username": username, "password": password})
            assert response.status_code == 200, (username, response.text)
            assert response.json()["user"]["role"] == role
            if username == "superviseur":  # the platform's supervisor: the whole hotline, no network
                assert response.json()["user"]["network_ids"] == []
    finally:
        process.stop()


def test_data_survives_a_server_restart(empty_database: tuple[str, Path]) -> None:
    url, directory = empty_database
    process = ServerProcess(url, directory)
    assert (
        process.cli(
            "create-user", "--username", "restart-op", "--role", "operator", "--password", PASSWORD
        ).returncode
        == 0
    )
    process.start()
    token = process.client().post("/auth/login", json={"username": "restart-op", "password": PASSWORD}).json()
    process.stop()
    process.start()
    try:
        assert process.client(token["access_token"]).get("/auth/me").json()["username"] == "restart-op"
    finally:
        process.stop()


def test_test_clock_is_refused_with_a_remote_postgresql(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://centrale@db.example.org/centrale",
        "CENTRALE_TEST_CLOCK": "1",
        "CENTRALE_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert (
        "CENTRALE_TEST_CLOCK=1 est refusé avec une base PostgreSQL distante (db.example.org)" in result.stderr
    )


def test_without_the_setting_there_is_no_test_clock(tmp_path: Path) -> None:
    process = ServerProcess(f"sqlite:///{tmp_path / 'c.sqlite3'}", tmp_path, test_clock=False)
    process.start()
    try:
        response = process.client().post("/test/clock/advance", json={"seconds": 10})
        assert response.status_code == 404
        assert response.json() == {"detail": "Ressource introuvable", "code": "not_found"}
    finally:
        process.stop()
