"""Concurrency: 200 responders accept at once (one or two server processes); idempotent sending."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.dispatch import Desk, Responder, bearer, place, prescription
from tests.support.live import LiveServer, unique_name
from tests.support.server_process import ServerProcess

CROWD = 200
TAKEN = "Cette demande a déjà été acceptée"


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


@dataclass
class Crowd:
    patient_id: int
    responders: list[Responder]


@pytest.fixture(scope="module")
def crowd(desk: Desk) -> Crowd:
    """200 responders around one patient, alone at their site."""
    lat, lon = place()
    responders = desk.responders(CROWD, lat, lon, radius_km=20)
    return Crowd(desk.patient(lat, lon)["id"], responders)


def _send_to_crowd(desk: Desk, crowd: Crowd) -> int:
    line = desk.send_one(crowd.patient_id)
    assert line["notified_count"] == CROWD
    return int(line["id"])


async def _gather(requests: list[tuple[str, str, dict[str, str], Any]]) -> list[httpx.Response]:
    """Send every (method, url, headers, json) at once; the answers in the same order."""
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.request(method, url, headers=headers, json=body)
                for method, url, headers, body in requests
            )
        )


def _accept_all(pid: int, crowd: Crowd, base_urls: list[str]) -> list[httpx.Response]:
    requests = [
        (
            "POST",
            f"{base_urls[i % len(base_urls)]}/api/v1/prescriptions/{pid}/accept",
            {"Authorization": f"Bearer {r.token}"},
            None,
        )
        for i, r in enumerate(crowd.responders)
    ]
    return asyncio.run(_gather(requests))


def _exactly_one_winner(
    desk: Desk, pid: int, crowd: Crowd, responses: list[httpx.Response], seq: int
) -> None:
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: CROWD - 1}, statuses
    [winner] = [r for r, answer in zip(crowd.responders, responses, strict=True) if answer.status_code == 200]
    for answer in responses:
        if answer.status_code == 409:
            assert answer.json()["detail"] == TAKEN
            assert answer.json()["code"] == "state_accepted"
    view = desk.get(pid)
    assert (view["state"], view["accepted_by"]["id"]) == ("accepted", winner.id)
    assert view["state_label"] == f"Accepté par {winner.name}"
    answers = desk.answers(pid)
    assert Counter(answers.values()) == {"accepted": 1, "taken": CROWD - 1}
    assert answers[winner.id] == "accepted"
    assert desk.event_types(seq, pid) == ["prescription_accepted"]  # one event, for the winner


def test_two_hundred_concurrent_accepts_make_one_winner(desk: Desk, crowd: Crowd) -> None:
    pid = _send_to_crowd(desk, crowd)
    seq = desk.feed_seq()
    responses = _accept_all(pid, crowd, [desk.server.process.base_url])
    _exactly_one_winner(desk, pid, crowd, responses, seq)


def test_two_hundred_concurrent_accepts_on_two_server_processes(
    desk: Desk, crowd: Crowd, tmp_path: Path
) -> None:
    if desk.server.kind != "postgresql":
        pytest.skip("several server processes share a PostgreSQL database; SQLite is single-process")
    second = ServerProcess(desk.server.database_url, tmp_path)
    second.start()
    try:
        pid = _send_to_crowd(desk, crowd)
        seq = desk.feed_seq()
        responses = _accept_all(pid, crowd, [desk.server.process.base_url, second.base_url])
        _exactly_one_winner(desk, pid, crowd, responses, seq)
    finally:
        second.stop()


def _case(desk: Desk) -> tuple[dict[str, Any], dict[str, Any], Responder]:
    """A patient with one responder nearby, and the body of a case for them."""
    lat, lon = place()
    responder = desk.responder(lat, lon)
    patient = desk.patient(lat, lon, last_name=unique_name("Idempotent"))
    return patient, desk.case_body(patient["id"], prescription()), responder


def _cases_of(desk: Desk, patient: dict[str, Any]) -> set[int]:
    response = desk.operator.get("/prescriptions", params={"q": patient["last_name"]})
    assert response.status_code == 200, response.text
    return {p["case_id"] for p in response.json()}


def test_one_idempotency_key_replayed_concurrently_creates_one_case(desk: Desk) -> None:
    patient, body, responder = _case(desk)
    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {bearer(desk.operator)}", "Idempotency-Key": key}
    url = f"{desk.server.process.base_url}/api/v1/cases"
    responses = asyncio.run(_gather([("POST", url, headers, body)] * 20))

    assert [r.status_code for r in responses] == [201] * 20, [
        r.text for r in responses if r.status_code != 201
    ]
    assert len({r.text for r in responses}) == 1  # the same answer, to the byte
    replayed = [r.headers.get("Idempotent-Replayed") for r in responses]
    assert replayed.count("true") == 19
    answer = responses[0].json()
    assert _cases_of(desk, patient) == {answer["case_id"]}
    assert responder.offer_ids() == [answer["prescriptions"][0]["id"]]
    assert len(desk.notifications(answer["prescriptions"][0]["id"])) == 1
    timeline = desk.operator.get(f"/patients/{patient['id']}/timeline").json()
    assert [e["kind"] for e in timeline].count("case") == 1

    again = desk.operator.post("/cases", json=body, headers={"Idempotency-Key": key})
    assert (again.status_code, again.json()) == (201, answer)
    assert again.headers["Idempotent-Replayed"] == "true"


def test_an_idempotency_key_serves_one_request_of_one_user(desk: Desk) -> None:
    patient, body, _ = _case(desk)
    key = str(uuid.uuid4())
    first = desk.operator.post("/cases", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text

    changed = {**body, "prescriptions": [prescription(comment="Un autre commentaire")]}
    _, colleague = desk.staff("operator")
    for client, sent in ((desk.operator, changed), (colleague, body)):
        reused = client.post("/cases", json=sent, headers={"Idempotency-Key": key})
        assert reused.status_code == 422, reused.text
        assert reused.json() == {
            "detail": "Cette clé d'idempotence a déjà servi pour une autre demande",
            "code": "idempotency_key_reused",
        }
    assert _cases_of(desk, patient) == {first.json()["case_id"]}
