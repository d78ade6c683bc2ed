"""A case's timing and idempotency, on SQLite and PostgreSQL through a real server: an empty
`Idempotency-Key` is refused (it would be one key shared by every later case), an intervention
date in the past beyond the tolerance is refused, and a local time that does not exist or exists
twice at a clock change in the intervention's zone is refused — each with a French message naming
the prescription's field, nothing created."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.dispatch import Desk, prescription
from tests.support.live import LiveServer, patient_body

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Desk:
    return Desk.open(server)


@pytest.fixture(scope="module")
def patient_id(desk: Desk) -> int:
    created = desk.operator.post("/patients", json=patient_body())
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def dated(at: str, zone: str = "Europe/Paris") -> dict[str, Any]:
    return prescription(intervention_delay_minutes=None, intervention_at=at, intervention_tz=zone)


def post(
    desk: Desk, patient_id: int, *prescriptions: dict[str, Any], key: str | None = None
) -> httpx.Response:
    headers = {} if key is None else {"Idempotency-Key": key}
    return desk.operator.post("/cases", json=desk.case_body(patient_id, *prescriptions), headers=headers)


@pytest.mark.parametrize("key", [""])  # spaces around a value are not sent (RFC 9110)
def test_an_empty_idempotency_key_is_refused(desk: Desk, patient_id: int, key: str) -> None:
    for _ in range(2):
        refused = post(desk, patient_id, key=key)
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "idempotency_key_empty"
        assert "Idempotency-Key" in refused.json()["detail"]
    # later cases, with their own keys or none, are not blocked by it
    first = post(desk, patient_id, key=str(uuid.uuid4()))
    second = post(desk, patient_id, key=str(uuid.uuid4()))
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert first.json()["number"] != second.json()["number"]
    assert post(desk, patient_id).status_code == 201


def refused_field(response: httpx.Response, code: str) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == code, body
    [error] = body["errors"]
    assert error["code"] == code
    assert error["field"] == "prescriptions.1.intervention_at"
    return str(body["detail"])


def test_an_intervention_date_in_the_past_is_refused_beyond_the_tolerance(
    desk: Desk, patient_id: int
) -> None:
    now = datetime.now(UTC)
    long_ago = (now - timedelta(hours=3)).astimezone(PARIS).replace(tzinfo=None, microsecond=0)
    refused = post(desk, patient_id, prescription(), dated(long_ago.isoformat()))
    detail = refused_field(refused, "intervention_in_past")
    assert "passée" in detail
    assert long_ago.strftime("%d/%m/%Y à %H:%M") in detail  # shown in the intervention's zone
    aware = (now - timedelta(days=1)).isoformat()
    assert refused_field(post(desk, patient_id, prescription(), dated(aware)), "intervention_in_past")
    # within the tolerance (the current hour typed, a short wait in the outbox) and ahead: accepted
    recent = (now - timedelta(minutes=20)).astimezone(PARIS).replace(tzinfo=None, microsecond=0)
    ahead = (now + timedelta(days=2)).astimezone(PARIS).replace(tzinfo=None, microsecond=0)
    for at in (recent, ahead):
        created = post(desk, patient_id, prescription(), dated(at.isoformat()))
        assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    ("at", "zone", "code", "words"),
    [
        ("2027-03-28T02:30:00", "Europe/Paris", "intervention_time_nonexistent", "n'existe pas"),
        ("2027-03-28T02:30:00+01:00", "Europe/Paris", "intervention_time_nonexistent", "n'existe pas"),
        ("2027-10-31T02:30:00", "Europe/Paris", "intervention_time_ambiguous", "deux fois"),
        ("2027-10-31T02:30:00+01:00", "Europe/Paris", "intervention_time_ambiguous", "deux fois"),
    ],
)
def test_local_times_at_a_clock_change_are_refused(
    desk: Desk, patient_id: int, at: str, zone: str, code: str, words: str
) -> None:
    detail = refused_field(post(desk, patient_id, prescription(), dated(at, zone)), code)
    assert words in detail
    assert "28/03/2027" in detail or "31/10/2027" in detail
    assert "02:30" in detail


@pytest.mark.parametrize(
    "at",
    ["2027-03-28T03:30:00", "2027-03-28T01:59:00", "2027-10-31T03:00:00", "2027-03-28T01:30:00Z"],
)
def test_times_around_a_clock_change_that_exist_once_are_accepted(
    desk: Desk, patient_id: int, at: str
) -> None:
    created = post(desk, patient_id, dated(at))
    assert created.status_code == 201, created.text
    view = desk.operator.get(f"/prescriptions/{created.json()['prescriptions'][0]['id']}").json()
    expected = datetime.fromisoformat(at.replace("Z", "+00:00"))
    if expected.tzinfo is None:
        expected = expected.replace(tzinfo=PARIS)
    assert datetime.fromisoformat(view["intervention_at"]) == expected


def test_overseas_zones_without_clock_change_accept_those_hours(desk: Desk, patient_id: int) -> None:
    created = post(desk, patient_id, dated("2027-03-28T02:30:00", "America/Martinique"))
    assert created.status_code == 201, created.text
