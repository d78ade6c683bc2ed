"""A request that reached nobody (issue 18, item 3's server gaps): the view says `no_recipient`,
and « Renouveler » widens it while it is still pending — another response delay, or without its
network restriction (`network_id: null`) — with no cancellation first. Bad input loses nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.support.dispatch import Desk, north, parse_time, place
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def _audited(desk: Desk, patient_id: int, action: str) -> list[dict[str, Any]]:
    params: dict[str, str | int] = {"action": action, "patient_id": patient_id}
    response = desk.admin.get("/admin/audit", params=params)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def test_a_restricted_request_that_reached_nobody_is_widened_without_its_network(desk: Desk) -> None:
    lat, lon = place()
    network = desk.network()  # nobody near is a member of it
    outsider = desk.responder(*north(lat, lon, 1))
    patient = desk.patient(lat, lon)
    line = desk.send_one(patient["id"], network_id=network, response_delay_minutes=30)
    pid = line["id"]
    assert line["notified_count"] == 0
    shown = desk.get(pid)
    assert (shown["state"], shown["no_recipient"], shown["network_id"]) == ("pending", True, network)
    rows = desk.operator.get("/prescriptions", params={"state": "pending"})
    assert rows.status_code == 200, rows.text
    assert [r["no_recipient"] for r in rows.json() if r["id"] == pid] == [True]  # the board's rows too

    unknown = desk.operator.post(
        f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 20, "network_id": 987654}
    )
    assert unknown.status_code == 422
    assert (unknown.json()["code"], unknown.json()["detail"]) == (
        "network_unknown",
        "Réseau inconnu : 987654",
    )
    kept = desk.get(pid)
    assert (kept["round"], kept["network_id"], kept["response_delay_minutes"]) == (1, network, 30)
    assert (
        outsider.client.post(f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 20}).status_code
        == 403
    )
    seq = desk.feed_seq()

    widened = desk.operator.post(
        f"/prescriptions/{pid}/renew",
        json={"response_delay_minutes": 20, "network_id": None, "comment": "Élargie à tous"},
    )
    assert widened.status_code == 200, widened.text
    view = widened.json()
    assert (view["round"], view["state"], view["network_id"]) == (2, "pending", None)
    assert (view["notified_count"], view["no_recipient"], view["cancel_reason"]) == (1, False, None)
    assert parse_time(view["deadline_at"]) == parse_time(view["sent_at"]) + timedelta(minutes=20)
    assert desk.notified(pid, 2) == {outsider.id}
    assert pid in outsider.offer_ids()
    assert desk.event_types(seq, pid) == ["prescription_renewed"]  # never cancelled on the way
    assert [e["status"] for e in _audited(desk, patient["id"], "prescription_renew")] == [200]
    refused = _audited(desk, patient["id"], "forbidden")  # the outsider's attempt is audited too
    assert [(e["detail"]["attempted"], e["status"]) for e in refused] == [("prescription_renew", 403)]


def test_widening_by_delay_keeps_the_restriction_and_a_normal_pending_request_is_not_renewed(
    desk: Desk,
) -> None:
    lat, lon = place()
    network = desk.network()
    patient = desk.patient(lat, lon)
    pid = desk.send_one(patient["id"], network_id=network, response_delay_minutes=30)["id"]

    longer = desk.operator.post(f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 120})
    assert longer.status_code == 200, longer.text
    view = longer.json()
    assert (view["round"], view["network_id"], view["response_delay_minutes"]) == (2, network, 120)
    assert (view["notified_count"], view["no_recipient"]) == (0, True)  # still nobody in the network

    member = desk.responder(lat, lon, network_ids=[network])
    reached = desk.operator.post(f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 60})
    assert reached.status_code == 200, reached.text
    assert (reached.json()["notified_count"], reached.json()["no_recipient"]) == (1, False)
    assert desk.notified(pid, 3) == {member.id}

    again = desk.operator.post(f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 60})
    assert again.status_code == 409
    assert again.json()["detail"] == "Cette demande est encore en attente d'acceptation"
    assert desk.get(pid)["round"] == 3


@pytest.mark.parametrize(
    "body",
    [
        {"response_delay_minutes": 20, "network_id": "tous"},
        {"response_delay_minutes": 0},
        {"network_id": None},
    ],
)
def test_bad_renewals_are_refused_in_french_and_change_nothing(desk: Desk, body: dict[str, Any]) -> None:
    lat, lon = place()
    network = desk.network()
    patient = desk.patient(lat, lon)
    pid = desk.send_one(patient["id"], network_id=network)["id"]
    refused = desk.operator.post(f"/prescriptions/{pid}/renew", json=body)
    assert refused.status_code == 422
    assert refused.json()["detail"]
    assert (desk.get(pid)["round"], desk.get(pid)["network_id"]) == (1, network)
