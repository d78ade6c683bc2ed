"""Two server processes on one PostgreSQL database: a follower of B sees, live, what A commits.

B's safety poll is set to 10 minutes, so within the tests' bounds only LISTEN/NOTIFY can wake
it: a pass proves the cross-process path, not the poll.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from server.live.pg_listener import application_name, libpq_url
from tests.integration.conftest import database_url
from tests.integration.test_change_feed import (
    assert_consecutive,
    created_ids,
    follower,
    has_all,
    head,
    receive_until,
    running,
    token_of,
)
from tests.support import postgres
from tests.support.live import LiveServer, patient_body
from tests.support.server_process import ServerProcess

LIVE_BOUND = 5.0  # seconds from just before A's request to the event at B's client (generous for CI)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, ServerProcess]]:
    directory = tmp_path_factory.mktemp("fanout")
    url = database_url("postgresql", directory)
    b = ServerProcess(url, directory / "b", CENTRALE_LIVE_POLL_SECONDS="600")
    try:
        with contextmanager(running)(ServerProcess(url, directory / "a")) as a:
            try:
                b.start()
                yield a, b
            finally:
                b.stop()
    finally:
        postgres.drop_database(url)


def listener_pids(process: ServerProcess) -> list[int]:
    assert process.process is not None
    with psycopg.connect(libpq_url(process.database_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            (application_name(process.process.pid),),
        ).fetchall()
    return [int(row[0]) for row in rows]


def test_changes_through_a_reach_a_follower_of_b_live_and_in_order(
    pair: tuple[LiveServer, ServerProcess],
) -> None:
    a, b = pair
    _, operator = a.user("operator")
    start = head(operator)
    delays: list[float] = []
    ids: list[int] = []
    received = []
    with follower(b.base_url, token_of(operator), start) as ws:
        for _ in range(10):
            before = time.monotonic()
            response = operator.post("/patients", json=patient_body())
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
            received += receive_until(ws, has_all(ids[-1:]), timeout=LIVE_BOUND + 5)
            delays.append(time.monotonic() - before)
    assert max(delays) <= LIVE_BOUND, delays
    assert_consecutive(received, start)
    assert created_ids(received) == ids


def test_b_listens_again_after_losing_its_connection(pair: tuple[LiveServer, ServerProcess]) -> None:
    a, b = pair
    _, operator = a.user("operator")
    old = listener_pids(b)
    assert len(old) == 1
    start = head(operator)
    with follower(b.base_url, token_of(operator), start) as ws:
        with psycopg.connect(libpq_url(b.database_url), autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (old[0],))
        deadline = time.monotonic() + 20
        while (now := listener_pids(b)) in ([], old):  # bounded wait: B reopens its LISTEN connection
            assert time.monotonic() < deadline, "B did not reconnect its listener"
            time.sleep(0.1)
        assert len(now) == 1
        before = time.monotonic()
        ids = [operator.post("/patients", json=patient_body()).json()["id"]]
        received = receive_until(ws, has_all(ids), timeout=LIVE_BOUND + 5)
        assert time.monotonic() - before <= LIVE_BOUND
    assert_consecutive(received, start)
    assert "LISTEN centrale_events interrupted" in b.log()
