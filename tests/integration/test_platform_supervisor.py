"""Supervisor scope (issue 18, item 6): the hotline's own supervisor — a supervisor with no network —
sees the whole platform's cases, statistics and wall-board; a network supervisor only his networks';
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.dispatch import Desk, place
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def _numbers(client: httpx.Client, **params: str) -> set[str]:
    response = client.get("/prescriptions", params=params)
    assert response.status_code == 200, response.text
    return {row["case_number"] for row in response.json()}


def test_the_platform_supervisor_sees_every_case_and_a_network_supervisor_his_networks(desk: Desk) -> None:
    ours, other = desk.network(), desk.network()
    start = datetime.now(UTC) - timedelta(seconds=5)
    _, secretary = desk.staff("secretary")  # a practice secretary: no network
    _, network_operator = desk.staff("operator", [ours])
    _, platform = desk.staff("supervisor")  # the hotline's supervisor: no network
    _, network_supervisor = desk.staff("supervisor", [ours])
    _, stranger = desk.staff("supervisor", [other])
    lat, lon = place()
    patient = desk.patient(lat, lon)
    by_operator = desk.send(patient["id"])["number"]  # the hotline's operator, no network
    by_secretary = desk.post_case(patient["id"], client=secretary)
    assert by_secretary.status_code == 201, by_secretary.text
    by_network = desk.post_case(patient["id"], client=network_operator)
    assert by_network.status_code == 201, by_network.text
    sent = {by_operator, by_secretary.json()["number"], by_network.json()["number"]}
    since = start.isoformat()

    # the board (the supervisor's default scope, and « supervised » as the desktop asks)
    assert sent <= _numbers(platform, since=since)
    assert sent <= _numbers(platform, since=since, scope="supervised")
    assert sent <= _numbers(platform, since=since, scope="all")
    assert _numbers(network_supervisor, since=since) & sent == {by_network.json()["number"]}
    assert _numbers(network_supervisor, since=since, scope="all") & sent == {by_network.json()["number"]}
    assert _numbers(stranger, since=since) & sent == set()

    # the statistics and their CSV (what the wall-board shows is read the same way)
    period = {"since": since, "until": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}
    figures = platform.get("/stats", params=period)
    assert figures.status_code == 200, figures.text
    assert figures.json()["acceptance"]["sent"] >= 3
    network_figures = network_supervisor.get("/stats", params=period).json()
    assert network_figures["acceptance"]["sent"] == 1
    assert stranger.get("/stats", params=period).json()["acceptance"]["sent"] == 0
    exported = platform.get("/stats/prescriptions.csv", params=period)
    assert exported.status_code == 200, exported.text
    assert all(number in exported.text for number in sent)
    assert by_operator not in network_supervisor.get("/stats/prescriptions.csv", params=period).text


def test_a_secretary_and_a_networkless_operator_keep_their_own_scopes(desk: Desk) -> None:
    """The rule is the supervisor's: a secretary with no network still sees only her own cases."""
    start = datetime.now(UTC) - timedelta(seconds=5)
    _, secretary = desk.staff("secretary")
    lat, lon = place()
    patient = desk.patient(lat, lon)
    by_operator = desk.send(patient["id"])["number"]
    mine = desk.post_case(patient["id"], client=secretary)
    assert mine.status_code == 201, mine.text
    seen = _numbers(secretary, since=start.isoformat(), scope="all")
    assert mine.json()["number"] in seen
    assert by_operator not in seen


def test_the_platform_supervisor_reads_every_incident_a_network_supervisor_his_networks(desk: Desk) -> None:
    ours, other = desk.network(), desk.network()
    _, platform = desk.staff("supervisor")
    _, network_supervisor = desk.staff("supervisor", [ours])
    _, stranger = desk.staff("supervisor", [other])
    _, network_operator = desk.staff("operator", [ours])
    _, secretary = desk.staff("secretary")  # a practice secretary: no network
    lat, lon = place()
    patient = desk.patient(lat, lon)
    case = desk.post_case(patient["id"], client=network_operator)
    assert case.status_code == 201, case.text
    prescription = case.json()["prescriptions"][0]["id"]
    from_network = network_operator.post(
        "/incidents", json={"text": "Patient injoignable au domicile", "prescription_id": prescription}
    )
    assert from_network.status_code == 201, from_network.text
    from_practice = secretary.post("/incidents", json={"text": "Adresse incomplète sur l'ordonnance"})
    assert from_practice.status_code == 201, from_practice.text
    ids = {from_network.json()["id"], from_practice.json()["id"]}

    def seen(client: httpx.Client) -> set[int]:
        response = client.get("/incidents")
        assert response.status_code == 200, response.text
        return {incident["id"] for incident in response.json()} & ids

    assert seen(platform) == ids  # the whole hotline, the practice's incident included
    assert seen(network_supervisor) == {from_network.json()["id"]}
    assert seen(stranger) == set()
    assert seen(secretary) == {from_practice.json()["id"]}  # her own, nobody else's
