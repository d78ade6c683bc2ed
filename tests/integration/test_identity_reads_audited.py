"""Issue 17, item 3, on real servers (SQLite and PostgreSQL): every answer that shows a patient's
identity is audited as a read (cancel, renew, start, accept by phone answer with the patient);
record-level refusals are audited like role refusals; 401 and 429 are counted in aggregated
entries, one per source and flush interval, so that a flood cannot flood the trail."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.care_scenes import audit, episode, ok, open_desk, refused
from tests.integration.conftest import start_live
from tests.integration.test_calls import record
from tests.support.dispatch import Desk, place
from tests.support.live import LiveServer, unique

FLUSH = 1.0


def _at_most(started: float) -> int:
    """Aggregated entries a burst since `started` may have left: one per interval it spanned."""
    return int((time.monotonic() - started) / FLUSH) + 2


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def counted_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server of the module's own, flushing its 401/429 counters every FLUSH seconds."""
    directory: Path = tmp_path_factory.mktemp(f"refusals-{request.param}")
    yield from start_live(request.param, directory, CENTRALE_REFUSAL_FLUSH_SECONDS=str(FLUSH))


@pytest.fixture(scope="module")
def desk(counted_server: LiveServer) -> Iterator[Desk]:
    yield from open_desk(counted_server)


def _answer_reads(desk: Desk, patient_id: int, answer_of: str) -> list[dict[str, Any]]:
    return [
        e
        for e in audit(desk, patient_id=patient_id, action="prescription_read_full")
        if e["detail"].get("answer_of") == answer_of
    ]


def test_the_answer_of_cancel_is_an_audited_read(desk: Desk) -> None:
    scene = episode(desk, accepted=False)
    shown = ok(desk.operator.post(f"{scene.base}/cancel", json={"reason": "Patient hospitalisé"}))
    assert shown["patient"]["last_name"] == scene.patient["last_name"]
    reads = _answer_reads(desk, scene.patient["id"], "prescription_cancel")
    assert [e["detail"]["prescription_id"] for e in reads] == [scene.prescription_id]


def test_the_answer_of_renew_is_an_audited_read(desk: Desk) -> None:
    scene = episode(desk, accepted=False)
    ok(desk.operator.post(f"{scene.base}/cancel", json={"reason": "Erreur de date"}))
    shown = ok(desk.operator.post(f"{scene.base}/renew", json={"response_delay_minutes": 30}))
    assert shown["patient"]["phone"]
    reads = _answer_reads(desk, scene.patient["id"], "prescription_renew")
    assert len(reads) == 1
    assert reads[0]["username"] == desk.operator.get("/auth/me").json()["username"]


def test_the_answer_of_start_is_an_audited_read(desk: Desk) -> None:
    scene = episode(desk)
    shown = ok(scene.post(scene.acceptor, "start"))
    assert shown["patient"]["last_name"] == scene.patient["last_name"]
    reads = _answer_reads(desk, scene.patient["id"], "prescription_start")
    assert [e["user_id"] for e in reads] == [scene.acceptor.id]


def _refusal(desk: Desk, user_id: int, attempted: str, **detail: Any) -> list[dict[str, Any]]:
    return [
        e
        for e in audit(desk, user_id=user_id, action="forbidden")
        if e["detail"].get("attempted") == attempted
        and all(e["detail"].get(k) == v for k, v in detail.items())
        and e["status"] == 403
    ]


def test_reading_or_accepting_an_offer_not_sent_to_you_is_audited(desk: Desk) -> None:
    scene = episode(desk, accepted=False)
    stranger = desk.responders(1, *place())[0]
    refused(stranger.client.get(scene.base), 403, "forbidden")
    refused(scene.post(stranger, "accept"), 403, "not_notified")
    reads = _refusal(desk, stranger.id, "prescription_read", prescription_id=scene.prescription_id)
    accepts = _refusal(desk, stranger.id, "prescription_accept", prescription_id=scene.prescription_id)
    assert [e["patient_id"] for e in reads + accepts] == [scene.patient["id"]] * 2


def test_starting_someone_elses_job_is_audited(desk: Desk) -> None:
    scene = episode(desk)
    refused(scene.post(scene.other, "start"), 403, "not_yours")
    found = _refusal(desk, scene.other.id, "prescription_start", reason="not_yours")
    assert [e["patient_id"] for e in found] == [scene.patient["id"]]


def test_cancelling_when_not_the_requester_is_audited(desk: Desk) -> None:
    scene = episode(desk)
    refused(scene.post(scene.acceptor, "cancel", {"reason": "Je ne peux plus"}), 403, "forbidden")
    found = _refusal(desk, scene.acceptor.id, "prescription_cancel", prescription_id=scene.prescription_id)
    assert [e["patient_id"] for e in found] == [scene.patient["id"]]


def test_overwriting_another_users_call_record_is_audited(desk: Desk) -> None:
    body = record()
    ok(desk.operator.post("/calls", json=body), 201)
    other, client = desk.staff("operator")
    refused(client.post("/calls", json={**body, "outcome": "missed"}), 403, "call_not_yours")
    assert [e["detail"]["call_id"] for e in _refusal(desk, other["id"], "call_record")] == [body["id"]]


def _counted(desk: Desk, action: str, path: str, expected: int) -> list[dict[str, Any]]:
    """The aggregated entries of `action` about `path`, once their counts reach `expected`."""
    deadline = time.monotonic() + 10
    while True:
        entries = [e for e in audit(desk, action=action) if path in e["detail"]["paths"]]
        if sum(e["detail"]["count"] for e in entries) >= expected or time.monotonic() > deadline:
            return entries
        time.sleep(0.2)


def test_unauthenticated_requests_are_counted_not_flooded(counted_server: LiveServer, desk: Desk) -> None:
    path = f"/api/v1/patients/{900_000_000 + int(time.time()) % 1000}"
    bad = counted_server.client("not-a-valid-token")
    started = time.monotonic()
    for _ in range(60):
        assert bad.get(path.removeprefix("/api/v1")).status_code == 401
    limit = _at_most(started)
    entries = _counted(desk, "unauthenticated", path, 60)
    assert sum(e["detail"]["count"] for e in entries) == 60
    assert 1 <= len(entries) <= min(limit, 10)  # one per flush interval the flood spanned, not 60
    assert {(e["status"], e["client_ip"], e["user_id"]) for e in entries} == {(401, "127.0.0.1", None)}


def test_throttled_logins_are_counted_not_flooded(counted_server: LiveServer, desk: Desk) -> None:
    target = unique("cible")
    anonymous = counted_server.client()
    started = time.monotonic()
    wrong = {"username": target, "password": "mauvais-mot-de-passe"}
    statuses = [anonymous.post("/auth/login", json=wrong).status_code for _ in range(30)]
    throttled, limit = statuses.count(429), _at_most(started)
    assert throttled >= 20, statuses
    entries = _counted(desk, "rate_limited", "/api/v1/auth/login", throttled)
    assert sum(e["detail"]["count"] for e in entries) >= throttled
    assert len(entries) <= min(limit, throttled // 2)
    assert all(e["status"] == 429 for e in entries)
