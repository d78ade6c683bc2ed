"""Several server processes started together on a new PostgreSQL database (a systemd unit starting
its instances at once) all migrate it: one does the work, the others wait and find it at head."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from server.migrate import current_revision, head_revision
from tests.integration.conftest import database_url
from tests.support import postgres


def test_three_migrations_at_once_on_a_new_database(tmp_path: Path) -> None:
    url = database_url("postgresql", tmp_path)
    try:
        env = {"DATABASE_URL": url, "CENTRALE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "server.cli", "migrate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
        assert [code for code, _ in outcomes] == [0, 0, 0], [err[-800:] for _, err in outcomes]
        engine = create_engine(url)
        try:
            assert current_revision(engine) == head_revision(engine)
        finally:
            engine.dispose()
    finally:
        postgres.drop_database(url)
