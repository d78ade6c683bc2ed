"""Issue 17, item 6: on the embedded SQLite server the password hash is checked while no write
transaction is open, so a login flood cannot stall other writes (a case creation) behind it.

While the real argon2 verification of a login runs, another thread writes to the same database
through the same `Database` (its one-writer lock and SQLite's); it must finish at once, not after
the login. The figures under a real flood: bench/login_flood.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from server.db import Database
from server.errors import Unauthenticated
from server.migrate import upgrade
from server.models import Network, User
from server.security.audit import Origin
from server.security.login_limits import LoginLimits
from server.security.passwords import verify_password
from server.services import authentication
from server.services.accounts import create_user
from shared.domain import Role
from shared.schemas.admin import UserCreate
from tests.support.live import PASSWORD

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
ORIGIN = Origin("POST", "/api/v1/auth/login", "192.0.2.1", "tests")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'centrale.sqlite3'}")
    upgrade(database.engine)
    with database.session() as session:
        body = UserCreate(
            username="operatrice", password=PASSWORD, role=Role.OPERATOR, display_name="Opératrice"
        )
        create_user(session, body, NOW)
    yield database
    database.dispose()


def _write_while_hashing(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Patch the login's verification so that, during it, another thread writes a row; returns
    whether each such write finished within 3 s (the hash itself runs as usual)."""
    finished: list[bool] = []

    def verify_during_a_write(password_hash: str | None, password: str) -> bool:
        def write() -> None:
            with db.session() as session:
                session.add(Network(name=f"Réseau {len(finished)}", created_at=NOW))

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(timeout=3)
        finished.append(not writer.is_alive())
        writer.join()
        return verify_password(password_hash, password)

    monkeypatch.setattr(authentication, "verify_password", verify_during_a_write)
    return finished


def test_no_write_waits_for_a_password_check(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    finished = _write_while_hashing(db, monkeypatch)

    def opened(_session: Session, user: User) -> int:
        return user.id

    assert authentication.log_in(db, LoginLimits(), NOW, "operatrice", PASSWORD, ORIGIN, opened) > 0
    with pytest.raises(Unauthenticated):
        authentication.log_in(db, LoginLimits(), NOW, "operatrice", "mauvais-mot-de-passe", ORIGIN, opened)
    with pytest.raises(Unauthenticated):
        authentication.log_in(db, LoginLimits(), NOW, "inconnue", "mauvais-mot-de-passe", ORIGIN, opened)
    assert finished == [True, True, True]
