"""Live central servers for the integration tests: one on SQLite, one on a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import postgres
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, TELEPHONY_TOKEN, LiveServer
from tests.support.mail_fixtures import mail_pki, mssante_relay, smtp  # noqa: F401 (e-mail fixtures)
from tests.support.server_process import ServerProcess


def database_url(kind: str, directory: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{directory / 'centrale.sqlite3'}"
    try:
        return postgres.create_database()
    except postgres.PostgresUnavailable as exc:
        if postgres.required():
            pytest.fail(f"CI exige PostgreSQL : {exc}")
        pytest.skip(str(exc))


def start_live(kind: str, directory: Path, **env: str) -> Iterator[LiveServer]:
    url = database_url(kind, directory)
    process = ServerProcess(url, directory)
    process.env.update({"CENTRALE_TELEPHONY_TOKEN": TELEPHONY_TOKEN, **env})
    created = process.cli(
        "create-user",
        "--username",
        ADMIN_USERNAME,
        "--role",
        "admin",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    process.start()
    live = LiveServer(process, kind)
    try:
        yield live
    finally:
        live.close()
        process.stop()
        if kind == "postgresql":
            postgres.drop_database(url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server shared by the tests that do not move its clock."""
    yield from start_live(request.param, tmp_path_factory.mktemp(f"server-{request.param}"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clock_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server of the module's own, whose test clock the module's tests may move forward."""
    yield from start_live(request.param, tmp_path_factory.mktemp(f"clock-{request.param}"))
