"""The login limits under attack (issue 17, items 4 and 5), on real server processes.

A parallel burst on one account (two server processes on one database) checks at most the
allowed number of passwords, never answers 500, and refuses the right password while blocked;
one source guessing many usernames is limited; an attack from elsewhere never locks an operator
out of their own workstation; a crowd of sources on one account, or on the whole platform, meets a
ceiling that the operator's known workstation does not; refusals are counted, not audited one by one.
Sources are told apart with `X-Forwarded-For`, which uvicorn trusts from the loopback only.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import start_live
from tests.support.live import PASSWORD, LiveServer, unique
from tests.support.server_process import ServerProcess

BURST = 40
WRONG = "mauvais-mot-de-passe-7"
HOUR = 3600
SOURCE_LIMIT = 10
ACCOUNT_LIMIT = 8
GLOBAL_LIMIT = 30
_hosts = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def limits_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server of the module's own (its clock moves), with ceilings low enough to reach quickly
    (argon2 is slow on purpose: each password checked costs a good part of a second on CI)."""
    yield from start_live(
        request.param,
        tmp_path_factory.mktemp(f"limits-{request.param}"),
        CENTRALE_LOGIN_SOURCE_LIMIT=str(SOURCE_LIMIT),
        CENTRALE_LOGIN_ACCOUNT_LIMIT=str(ACCOUNT_LIMIT),
        CENTRALE_LOGIN_GLOBAL_LIMIT=str(GLOBAL_LIMIT),
    )


@pytest.fixture
def fresh(limits_server: LiveServer) -> LiveServer:
    """Every window of the previous test is over."""
    limits_server.advance(2 * HOUR)
    return limits_server


def _source() -> str:
    """A documentation address (RFC 5737) of its own for each call."""
    n = next(_hosts)
    return f"198.51.{100 + n // 250}.{n % 250 + 1}"


def _login(server: LiveServer, username: str, password: str, source: str) -> httpx.Response:
    return server.client().post(
        "/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": source},
    )


async def _burst(base_urls: list[str], username: str, source: str, count: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post(
                    f"{base_urls[i % len(base_urls)]}/api/v1/auth/login",
                    json={"username": username, "password": WRONG},
                    headers={"X-Forwarded-For": source},
                )
                for i in range(count)
            )
        )


def _same_clock(server: LiveServer, second: ServerProcess) -> None:
    """Each process has its own test clock: move the second one to the first one's time."""
    with second.client() as client:
        now = datetime.fromisoformat(server.client().get("/test/clock").json()["now"])
        behind = now - datetime.fromisoformat(client.get("/test/clock").json()["now"])
        response = client.post("/test/clock/advance", json={"seconds": behind.total_seconds()})
        assert response.status_code == 200, response.text


def _audit_rows(server: LiveServer, username: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for action in ("login_failed", "login_blocked", "login_limited"):
        entries = server.admin().get("/admin/audit", params={"action": action}).json()
        rows += [e for e in entries if e["username"] == username]
    return rows


def test_a_parallel_burst_on_two_processes_checks_at_most_four_passwords(
    fresh: LiveServer, tmp_path: Path
) -> None:
    user, _ = fresh.user("operator")
    name, source = user["username"], _source()
    second = ServerProcess(fresh.database_url, tmp_path)
    second.start()
    try:
        _same_clock(fresh, second)
        responses = asyncio.run(_burst([fresh.process.base_url, second.base_url], name, source, BURST))
    finally:
        second.stop()
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {401, 429}, statuses  # never a 500
    # 4 wrong passwords start the block: at most 3 answer 401, the 4th answers 429 with the block.
    assert statuses[401] <= 3, statuses
    assert all(r.json()["code"] == "login_blocked" for r in responses if r.status_code == 429)
    refused = _login(fresh, name, PASSWORD, source)
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "login_blocked"
    # Counted, not written one by one: a burst of 40 leaves at most a couple of audit rows.
    assert 1 <= len(_audit_rows(fresh, name)) <= 3


def test_one_source_guessing_many_usernames_is_limited(fresh: LiveServer) -> None:
    source = _source()
    statuses: Counter[int] = Counter()
    codes: Counter[str] = Counter()
    for attempt in range(3):
        for n in range(40):
            response = _login(fresh, f"cible{n}", f"{WRONG}{attempt}", source)
            statuses[response.status_code] += 1
            codes[response.json()["code"]] += 1
    assert 500 not in statuses
    assert statuses[401] == SOURCE_LIMIT, statuses
    assert codes["login_source_limited"] == 120 - SOURCE_LIMIT, codes
    limited = _login(fresh, "cible0", WRONG, source)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "depuis cette adresse" in limited.json()["detail"]
    # Another source is not concerned.
    assert _login(fresh, "cible0", WRONG, _source()).status_code == 401


def test_an_attack_from_elsewhere_does_not_lock_the_operator_out(fresh: LiveServer) -> None:
    user, _ = fresh.user("operator")
    name, workstation, attacker = user["username"], _source(), _source()
    assert _login(fresh, name, PASSWORD, workstation).status_code == 200
    statuses = [_login(fresh, name, WRONG, attacker).status_code for _ in range(8)]
    assert statuses[:3] == [401, 401, 401]
    assert set(statuses[3:]) == {429}
    assert _login(fresh, name, PASSWORD, attacker).status_code == 429  # the attacker is blocked
    assert _login(fresh, name, PASSWORD, workstation).status_code == 200  # the operator is not


def test_many_sources_on_one_account_meet_a_ceiling_the_known_workstation_does_not(
    fresh: LiveServer,
) -> None:
    user, _ = fresh.user("operator")
    name, workstation = user["username"], _source()
    assert _login(fresh, name, PASSWORD, workstation).status_code == 200
    statuses = Counter(_login(fresh, name, WRONG, _source()).status_code for _ in range(ACCOUNT_LIMIT + 10))
    assert statuses == {401: ACCOUNT_LIMIT, 429: 10}
    newcomer = _login(fresh, name, PASSWORD, _source())
    assert newcomer.status_code == 429
    assert newcomer.json()["code"] == "login_account_limited"
    assert _login(fresh, name, PASSWORD, workstation).status_code == 200
    fresh.advance(HOUR + 1)
    assert _login(fresh, name, PASSWORD, _source()).status_code == 200


def test_a_distributed_spray_meets_the_platform_ceiling(fresh: LiveServer) -> None:
    user, _ = fresh.user("operator")
    name, workstation = user["username"], _source()
    assert _login(fresh, name, PASSWORD, workstation).status_code == 200
    codes = Counter(
        _login(fresh, unique("spray"), WRONG, _source()).json()["code"] for _ in range(GLOBAL_LIMIT + 10)
    )
    assert codes == {"bad_credentials": GLOBAL_LIMIT, "login_global_limited": 10}
    assert _login(fresh, name, PASSWORD, _source()).status_code == 429
    assert _login(fresh, name, PASSWORD, workstation).status_code == 200
