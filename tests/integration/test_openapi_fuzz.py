"""Schemathesis against a real server process, with every role (issue 17, item 9).

The OpenAPI document must tell the truth: no input, valid or not, gets a 5xx, and every answer
has a status the document declares, a body matching the schema it declares for that status
(``ErrorBody`` for every error) and the content type it declares. Bounded: ``EXAMPLES`` per
operation and per generation mode, for each role, on SQLite, then on PostgreSQL (minutes, not hours).

Left out, because they cannot run in the middle of the others:
- the test clock (``/test/clock``): the server runs without it, so it is not in the document;
  moving the clock would expire the tokens of the run;
- ``POST /auth/logout``: it would end the session the run uses (logout has its own tests).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_headers_conformance

from tests.integration.conftest import database_url
from tests.support import postgres
from tests.support.dispatch import Desk, Login
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, TELEPHONY_TOKEN, LiveServer
from tests.support.server_process import ServerProcess

# Per operation and generation mode: ~80 operations × 2 modes × 3 = 480 requests per role. A longer
# exploration: CENTRALE_FUZZ_EXAMPLES=50 (the same cases every run: derandomized).
EXAMPLES = int(os.environ.get("CENTRALE_FUZZ_EXAMPLES", "3"))
ROLES = ("anonymous", "professional", "operator", "secretary", "supervisor", "admin")  # admin last
EXCLUDED_PATHS = ("/api/v1/auth/logout",)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@dataclass
class FuzzedServer:
    live: LiveServer
    tokens: dict[str, str]
    role: str = "anonymous"


def _start(kind: str, directory: Path) -> Iterator[FuzzedServer]:
    url = database_url(kind, directory)
    process = ServerProcess(url, directory, test_clock=False, CENTRALE_TELEPHONY_TOKEN=TELEPHONY_TOKEN)
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
    desk = Desk.open(live)
    try:
        network = desk.network()
        tokens = {"admin": live.login(ADMIN_USERNAME, ADMIN_PASSWORD)}
        for role in ("operator", "secretary"):
            tokens[role] = _token_of(desk.staff(role)[1])
        tokens["supervisor"] = _token_of(desk.staff("supervisor", [network])[1])
        responder = desk.responder(48.629, 2.44, via_api=True, network_ids=[network])
        tokens["professional"] = _token_of(responder.client)
        # Something to read, accept and change: a patient and a case offered to the professional.
        patient = desk.patient(48.629, 2.44)
        assert desk.post_case(patient["id"]).status_code == 201
        yield FuzzedServer(live, tokens)
    finally:
        desk.close()
        live.close()
        process.stop()
        if kind == "postgresql":
            postgres.drop_database(url)


def _token_of(client: httpx.Client) -> str:
    """The bearer token of a tests' client (tests/support/dispatch.py ``Login``), logging in once."""
    auth = client.auth
    assert isinstance(auth, Login)
    return auth.token or auth.login()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzedServer]:
    yield from _start(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}"))


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Found:
    """One answer the document does not allow: the route, the input, the answer."""

    operation: str
    mode: str
    request: str
    answer: str
    failure: str

    def __str__(self) -> str:
        return f"{self.operation} [{self.mode}]\n  → {self.request}\n  ← {self.answer}\n  ✗ {self.failure}"


def _failure_text(exc: BaseException) -> str:
    """The titles of schemathesis's failures (« Undocumented status code », …), or the error."""
    failures = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return "; ".join(str(getattr(f, "title", "") or f).strip()[:200] for f in failures)


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], found: list[Found]) -> int:
    """``EXAMPLES`` cases of ``operation`` in ``mode``; what fails is added to ``found``."""
    calls = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: each finding is reported as drawn
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call(headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # a check failed: recorded, the run goes on
            sent = response.request
            body = (sent.body or b"")[:300]
            found.append(
                Found(
                    operation.label,
                    mode.value,
                    f"{sent.method} {sent.url} {body!r}",
                    f"{response.status_code} {response.text[:300]}",
                    _failure_text(exc),
                )
            )

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameter, no body): the positive mode covers it
        assert mode is GenerationMode.NEGATIVE
    return calls


def test_no_5xx_and_schema_conformance(fuzzed: FuzzedServer, role: str) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.live.process.base_url}/api/v1/openapi.json")
    headers = {"X-Centrale-Client": "centrale-fuzz"}
    if role in fuzzed.tokens:
        headers["Authorization"] = f"Bearer {fuzzed.tokens[role]}"
    else:  # no user: as Kamailio and the queue holder call the /telephony/ routes
        headers["X-Centrale-Telephony-Token"] = TELEPHONY_TOKEN
    found: list[Found] = []
    calls = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself is valid
        operation = result.ok()
        if operation.path in EXCLUDED_PATHS:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            calls += _fuzz(operation, mode, headers, found)
    elapsed = time.monotonic() - started
    print(f"\nschemathesis {fuzzed.live.kind} {role}: {calls} requests in {elapsed:.1f} s")
    assert calls >= 100, calls
    assert not found, f"{len(found)} answers outside the document:\n" + "\n".join(map(str, found[:40]))
