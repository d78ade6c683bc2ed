"""Before acceptance, no answer a notified responder may get carries the patient's position or
identity: every JSON they can read is scanned. A usual professional sees the name, with the FAQ's
« Professionnel de santé habituel : <nom> »."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import connect

from server.services.prescription_views import approximate_area
from tests.integration.care_scenes import numbers, ok, open_desk, refused
from tests.support.dispatch import Desk, Responder, north, place
from tests.support.live import LiveServer

IDENTITY = {
    "last_name": "QUENARDEL",
    "first_name": "Gwenola",
    "address_line": "17 impasse des Mésanges",
    "phone": "01 99 00 31 42",
    "digicode": "4B21",
}


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    yield from open_desk(server)


def off_centre() -> tuple[float, float]:
    """A free site, moved so that it is not the centre of its area (the centre is what is shown)."""
    lat, lon = place()
    centre_lat, centre_lon, _ = approximate_area(lat, lon)
    if abs(lat - centre_lat) < 0.003:
        lat += 0.006
    if abs(lon - centre_lon) < 0.003:
        lon += 0.006
    return lat, lon


def read_everything(desk: Desk, who: Responder, prescription_id: int) -> dict[str, Any]:
    """Every answer a responder may get about their offers, by route."""
    base = f"/prescriptions/{prescription_id}"
    found: dict[str, Any] = {
        "prescription": ok(who.client.get(base)),
        "offers": ok(who.client.get("/me/offers")),
        "count": ok(who.client.get("/me/offers/count")),
        "comments": ok(who.client.get(f"{base}/comments")),
    }
    for section in ("care", "coordination", "requests", "archive"):
        found[section] = ok(who.client.get("/me/cases", params={"section": section}))
    url = desk.server.process.base_url.replace("http://", "ws://") + "/api/v1/me/offers/events"
    with connect(url, additional_headers={"Authorization": f"Bearer {who.token}"}, open_timeout=10) as ws:
        found["websocket"] = json.loads(ws.recv(timeout=10))
    return found


def assert_nothing_exact(answers: dict[str, Any], lat: float, lon: float) -> None:
    for route, answer in answers.items():
        for number in numbers(answer):
            assert abs(number - lat) > 1e-4, (route, number)
            assert abs(number - lon) > 1e-4, (route, number)
        text = json.dumps(answer, ensure_ascii=False)
        for secret in (*IDENTITY.values(), "+33199003142", "Cabinet Appelant"):
            assert secret not in text, (route, secret)


def test_a_notified_responder_gets_no_position_nor_identity_before_accepting(desk: Desk) -> None:
    lat, lon = off_centre()
    responder, acceptor = desk.responders(2, *north(lat, lon, 1))
    patient = desk.patient(lat, lon, **IDENTITY)
    pid = desk.send_one(patient["id"], care_type="Pansement", comment="Pansement au domicile")["id"]
    ok(desk.operator.post(f"/prescriptions/{pid}/comments", json={"text": "Accès par la cour"}), 201)

    answers = read_everything(desk, responder, pid)
    assert_nothing_exact(answers, lat, lon)
    view = answers["prescription"]
    assert (view["anonymised"], view["patient"], view["caller"], view["usual_label"], view["care"]) == (
        True,
        None,
        None,
        None,
        None,
    )
    area = view["area"]
    assert (area["approx_latitude"], area["approx_longitude"], area["approx_radius_km"]) == approximate_area(
        lat, lon
    )
    assert (area["commune"], area["age"], area["sex"]) == (patient["city"], patient["age"], "F")
    assert 0 < view["time_left_seconds"] <= 3600
    assert (view["care_mode"], view["days"], view["visits_per_day"]) == ("visit", 1, 1)
    assert view["requester"]["name"] == "Dr Prescripteur"
    assert view["requester"]["user_id"] is None  # named by RPPS, not a registered user
    assert answers["offers"] == [{**view, "time_left_seconds": answers["offers"][0]["time_left_seconds"]}]
    assert answers["count"] == {"count": 1}
    assert answers["websocket"]["prescription_id"] == pid
    for path in (
        f"/patients/{patient['id']}",
        f"/patients/{patient['id']}/timeline",
        f"/prescriptions/{pid}/documents",
    ):
        assert responder.client.get(path).status_code == 403, path

    # The acceptor sees everything; the other responder still nothing exact.
    accepted = ok(acceptor.client.post(f"/prescriptions/{pid}/accept"))
    assert (accepted["area"]["approx_latitude"], accepted["area"]["approx_longitude"]) == (lat, lon)
    assert accepted["area"]["approx_radius_km"] is None
    assert accepted["patient"]["last_name"] == IDENTITY["last_name"]
    still = ok(responder.client.get(f"/prescriptions/{pid}"))
    assert_nothing_exact({"after": still}, lat, lon)


def test_an_area_depends_on_its_cell_alone(desk: Desk) -> None:
    lat, lon = off_centre()
    responder = desk.responders(1, lat, lon)[0]
    centre_lat, centre_lon, radius = approximate_area(lat, lon)
    areas = []
    for d_lat, d_lon in ((0.0, 0.0), (centre_lat - lat + 0.0004, centre_lon - lon - 0.0004)):
        patient = desk.patient(lat + d_lat, lon + d_lon)
        pid = desk.send_one(patient["id"])["id"]
        areas.append(ok(responder.client.get(f"/prescriptions/{pid}"))["area"])
    assert [(a["approx_latitude"], a["approx_longitude"], a["approx_radius_km"]) for a in areas] == [
        (centre_lat, centre_lon, radius)
    ] * 2
    assert 1.0 <= radius <= 2.0


def test_a_usual_professional_sees_the_name_and_is_told_so(desk: Desk) -> None:
    lat, lon = off_centre()
    usual = desk.responders(1, *north(lat, lon, 25))[0]
    patient = desk.patient(lat, lon, **{**IDENTITY, "phone": "01 99 00 31 43"})
    desk.usual(patient["id"], usual)
    pid = desk.send_one(patient["id"])["id"]
    label = f"Professionnel de santé habituel : {usual.name}"
    [offer] = ok(usual.client.get("/me/offers"))
    view = ok(usual.client.get(f"/prescriptions/{pid}"))
    for seen in (offer, view):
        assert (seen["anonymised"], seen["usual_label"]) == (False, label)
        assert (seen["patient"]["last_name"], seen["patient"]["first_name"]) == ("QUENARDEL", "Gwenola")


def test_refused_reads_are_404_or_403_in_french(desk: Desk) -> None:
    stranger = desk.responders(1, *place())[0]
    lat, lon = off_centre()
    desk.responders(1, lat, lon)
    patient = desk.patient(lat, lon)
    pid = desk.send_one(patient["id"])["id"]
    refused(
        stranger.client.get(f"/prescriptions/{pid}"),
        403,
        "forbidden",
        "Cette demande ne vous a pas été proposée",
    )
    refused(stranger.client.get("/prescriptions/999999999"), 404, "not_found", "Demande introuvable")
    denied = desk.admin.get("/admin/audit", params={"user_id": stranger.id, "action": "forbidden"}).json()
    assert [(e["patient_id"], e["detail"]["attempted"]) for e in denied] == [
        (patient["id"], "prescription_read")
    ]
