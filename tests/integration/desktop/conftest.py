"""Real central servers for the desktop's sync tests (SQLite unless a test asks for PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import start_live
from tests.support.live import LiveServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A SQLite server for the tests that neither stop it nor move its clock."""
    yield from start_live("sqlite", tmp_path_factory.mktemp("desktop-sqlite"))


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A SQLite server of the test's own: it may stop, restart it or move its clock."""
    yield from start_live("sqlite", tmp_path / "server")


@pytest.fixture(scope="session")
def clock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A SQLite server whose test clock the session-expiry tests move (each logs in afresh first)."""
    yield from start_live("sqlite", tmp_path_factory.mktemp("desktop-clock"))
