"""Timers are rows: they survive a restart, and two server processes never fire one twice."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.integration.conftest import database_url
from tests.support import postgres
from tests.support.live import ADMIN_PASSWORD, PASSWORD, patient_body, professional_body
from tests.support.server_process import ServerProcess


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    url = database_url(request.param, tmp_path)
    yield request.param, url, tmp_path
    if request.param == "postgresql":
        postgres.drop_database(url)


def _prepare(process: ServerProcess) -> None:
    created = process.cli(
        "create-user", "--username", "admin", "--role", "admin", "--password", ADMIN_PASSWORD
    )
    assert created.returncode == 0, created.stderr
    created = process.cli(
        "create-user", "--username", "operateur", "--role", "operator", "--password", PASSWORD
    )
    assert created.returncode == 0, created.stderr


def _login(process: ServerProcess, username: str, password: str = PASSWORD) -> str:
    response = process.client().post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _send_cases(process: ServerProcess, count: int) -> list[int]:
    lat = 45.0 + secrets.randbelow(1000) / 1000
    admin = process.client(_login(process, "admin", ADMIN_PASSWORD))
    pro = admin.post(
        "/admin/professionals", json=professional_body(latitude=lat, longitude=3.0, profession_code="60")
    )
    assert pro.status_code == 201, pro.text
    operator = process.client(_login(process, "operateur"))
    patient = operator.post("/patients", json=patient_body(latitude=lat, longitude=3.0)).json()
    ids = []
    for n in range(count):
        sent = operator.post(
            "/cases",
            json={
                "caller": {"name": "Dr Appelant"},
                "requester": {"rpps": pro.json()["rpps"]},
                "patient_id": patient["id"],
                "prescriptions": [
                    {
                        "profession_code": "60",
                        "care_type": f"Soins {n}",
                        "care_mode": "visit",
                        "intervention_delay_minutes": 60,
                        "response_delay_minutes": 10,
                        "comment": "Pansement",
                    }
                ],
            },
        )
        assert sent.status_code == 201, sent.text
        assert sent.json()["prescriptions"][0]["notified_count"] == 1
        ids.append(sent.json()["prescriptions"][0]["id"])
    return ids


def _states(process: ServerProcess, ids: list[int]) -> set[str]:
    operator = process.client(_login(process, "operateur"))
    return {operator.get(f"/prescriptions/{i}").json()["state"] for i in ids}


def test_a_deadline_survives_a_server_restart(database: tuple[str, str, Path]) -> None:
    _kind, url, directory = database
    process = ServerProcess(url, directory)
    _prepare(process)
    process.start()
    try:
        ids = _send_cases(process, 3)
    finally:
        process.stop()
    process.start()  # a new process: nothing of the first one's memory remains
    try:
        assert _states(process, ids) == {"pending"}
        advanced = process.client().post("/test/clock/advance", json={"seconds": 11 * 60})
        assert advanced.status_code == 200
        assert _states(process, ids) == {"expired"}
    finally:
        process.stop()


def test_two_processes_never_fire_one_timer_twice(database: tuple[str, str, Path]) -> None:
    kind, url, directory = database
    if kind == "sqlite":
        pytest.skip(
            "several server processes share a PostgreSQL database; SQLite is the single-process default"
        )
    first = ServerProcess(url, directory / "a", CENTRALE_SCHEDULER_INTERVAL="0")
    second = ServerProcess(url, directory / "b", CENTRALE_SCHEDULER_INTERVAL="0")
    _prepare(first)
    first.start()
    second.start()
    try:
        ids = _send_cases(first, 40)
        results: list[int] = []

        def advance(process: ServerProcess) -> None:
            response = process.client().post("/test/clock/advance", json={"seconds": 11 * 60})
            results.append(response.json()["processed"]["dispatch_timers"])

        threads = [threading.Thread(target=advance, args=(p,)) for p in (first, second, first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert _states(first, ids) == {"expired"}
        assert sum(results) == len(ids)  # each timer fired once, whichever process claimed it
        engine = create_engine(url)
        with engine.connect() as conn:
            fired = Counter(
                conn.scalars(text("SELECT prescription_id FROM events WHERE type = 'prescription_expired'"))
            )
        engine.dispose()
        assert {i: fired[i] for i in ids} == dict.fromkeys(ids, 1)
    finally:
        first.stop()
        second.stop()
