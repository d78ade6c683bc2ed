"""Who sees what of a prescription: anonymity before acceptance, refusals, and the staff board."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from server.services.matching import distance_km
from server.services.prescription_views import approximate_area
from tests.support.dispatch import Desk, north, parse_time, place, prescription
from tests.support.live import LiveServer, unique_name

NOT_OFFERED = "Cette demande ne vous a pas été proposée"


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def _identity() -> dict[str, Any]:
    """Patient fields that must never reach a responder who may not see them."""
    return {
        "last_name": unique_name("Quenardel"),
        "first_name": unique_name("Gwenola").capitalize(),
        "address_line": f"{secrets.randbelow(90) + 10} impasse des Mésanges",
        "phone": f"01 99 00 {secrets.randbelow(100):02d} {secrets.randbelow(100):02d}",
    }


def _secrets_of(patient: dict[str, Any]) -> list[str]:
    return [
        patient["last_name"],
        patient["first_name"],
        patient["address_line"],
        patient["phone"],
        patient["phone"].replace(" ", ""),
    ]


def test_a_pool_responder_sees_an_anonymised_offer(desk: Desk) -> None:
    lat, lon = place()
    responder = desk.responder(*north(lat, lon, 1))
    patient = desk.patient(lat, lon, **_identity())
    pid = desk.send_one(patient["id"])["id"]

    response = responder.client.get(f"/prescriptions/{pid}")
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["anonymised"] is True
    assert (view["patient"], view["caller"], view["report"]) == (None, None, None)
    area = view["area"]
    centre = (area["approx_latitude"], area["approx_longitude"])
    assert (*centre, area["approx_radius_km"]) == approximate_area(lat, lon)  # its ~2 km cell
    assert distance_km(lat, lon, *centre) <= area["approx_radius_km"] <= 2.0
    assert area["approx_latitude"] != lat
    assert (area["sex"], area["commune"], area["postal_code"]) == (
        "F",
        patient["city"],
        patient["postal_code"],
    )
    assert area["age"] == patient["age"]
    assert (view["care_type"], view["comment"]) == ("Pansement", desk.get(pid)["comment"])
    offers = responder.client.get("/me/offers")
    assert [o["id"] for o in offers.json()] == [pid]
    for text in (response.text, offers.text):
        for secret in [*_secrets_of(patient), "Cabinet Appelant"]:
            assert secret not in text, secret
        assert str(lat) not in text


def test_a_usual_professional_sees_the_name_before_accepting(desk: Desk) -> None:
    lat, lon = place()
    usual = desk.responder(*north(lat, lon, 30))
    patient = desk.patient(lat, lon, **_identity())
    desk.usual(patient["id"], usual)
    pid = desk.send_one(patient["id"])["id"]

    view = desk.get(pid, usual.client)
    assert view["anonymised"] is False
    assert view["state"] == "pending"
    assert view["patient"]["last_name"] == patient["last_name"]
    assert view["patient"]["phone"] == patient["phone"]
    assert view["caller"]["name"] == "Cabinet Appelant"
    [offer] = usual.client.get("/me/offers").json()
    assert offer["patient"]["last_name"] == patient["last_name"]


def test_the_acceptor_sees_everything_the_others_still_do_not(desk: Desk) -> None:
    lat, lon = place()
    acceptor, other = desk.responders(2, lat, lon)
    patient = desk.patient(lat, lon, **_identity())
    pid = desk.send_one(patient["id"])["id"]
    assert desk.get(pid, acceptor.client)["patient"] is None

    accepted = acceptor.client.post(f"/prescriptions/{pid}/accept")
    assert accepted.status_code == 200
    for view in (accepted.json(), desk.get(pid, acceptor.client)):
        assert view["anonymised"] is False
        assert view["patient"]["last_name"] == patient["last_name"]
        assert view["patient"]["first_name"] == patient["first_name"]
        assert view["patient"]["address_line"].startswith(patient["address_line"])
        assert view["caller"]["phone"] is not None
        assert (view["area"]["approx_latitude"], view["area"]["approx_longitude"]) == (lat, lon)
    still = other.client.get(f"/prescriptions/{pid}")
    assert still.status_code == 200
    assert still.json()["anonymised"] is True
    for secret in _secrets_of(patient):
        assert secret not in still.text


def test_a_responder_not_notified_is_refused(desk: Desk) -> None:
    lat, lon = place()
    desk.responder(lat, lon)
    stranger = desk.responder(*north(lat, lon, 300))  # out of reach
    patient = desk.patient(lat, lon)
    pid = desk.send_one(patient["id"])["id"]

    read = stranger.client.get(f"/prescriptions/{pid}")
    assert read.status_code == 403
    assert read.json() == {"detail": NOT_OFFERED, "code": "forbidden"}
    accept = stranger.client.post(f"/prescriptions/{pid}/accept")
    assert accept.status_code == 403
    assert accept.json() == {"detail": NOT_OFFERED, "code": "not_notified"}
    assert stranger.offer_ids() == []
    assert desk.get(pid)["state"] == "pending"


def test_the_pool_cannot_accept_during_the_priority_window(desk: Desk) -> None:
    lat, lon = place()
    usual, nearby = desk.responder(*north(lat, lon, 5)), desk.responder(lat, lon)
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], usual)
    line = desk.send_one(patient["id"], response_delay_minutes=120)
    assert parse_time(line["priority_until"]) > desk.now() + timedelta(minutes=50)

    for response in (
        nearby.client.post(f"/prescriptions/{line['id']}/accept"),
        nearby.client.get(f"/prescriptions/{line['id']}"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"] == NOT_OFFERED
    assert nearby.offer_ids() == []
    assert usual.client.post(f"/prescriptions/{line['id']}/accept").status_code == 200


def test_roles_refused_on_the_board_and_the_notifications(desk: Desk) -> None:
    lat, lon = place()
    responder = desk.responder(lat, lon)
    pid = desk.send_one(desk.patient(lat, lon)["id"])["id"]
    for client, path in (
        (desk.admin, "/prescriptions"),
        (desk.admin, f"/prescriptions/{pid}"),
        (responder.client, "/prescriptions"),
        (responder.client, f"/prescriptions/{pid}/notifications"),
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json() == {"detail": "Accès refusé pour votre rôle", "code": "forbidden"}
    assert desk.operator.get("/me/offers").status_code == 403
    unknown = desk.operator.get("/prescriptions/987654321/notifications")
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "Demande introuvable")


def _board(client: httpx.Client, **params: Any) -> list[int]:
    response = client.get("/prescriptions", params=params)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()]


def test_board_filters_for_operators(desk: Desk) -> None:
    lat, lon = place()
    mine = desk.patient(lat, lon, last_name=unique_name("Vauquelin"))
    theirs = desk.patient(lat, lon, last_name=unique_name("Wattrelos"))
    _, colleague = desk.staff("operator")
    first = desk.send(mine["id"])
    since = desk.now()
    care = f"Bilan sang {unique_name('QX')}"
    second = desk.send(theirs["id"], prescription(care_type=care))
    p1, p2 = first["prescriptions"][0]["id"], second["prescriptions"][0]["id"]
    third = desk.post_case(theirs["id"], client=colleague)
    assert third.status_code == 201
    p3 = third.json()["prescriptions"][0]["id"]

    assert {p1, p2} <= set(_board(desk.operator, scope="mine"))
    assert p3 not in _board(desk.operator, scope="mine")
    assert _board(colleague, scope="mine") == [p3]
    assert {p1, p2, p3} <= set(_board(desk.operator))  # an operator's default: the whole hotline
    assert {p1, p2, p3} <= set(_board(colleague, scope="all"))

    assert _board(desk.operator, number=first["number"]) == [p1]
    assert _board(desk.operator, number=f"#{first['number']}") == [p1]
    assert _board(desk.operator, q=mine["last_name"][:-2].lower()) == [p1]
    assert sorted(_board(desk.operator, q=theirs["last_name"])) == sorted([p2, p3])
    assert _board(desk.operator, q=care.split()[-1]) == [p2]
    assert _board(desk.operator, q=f"#{second['number']}") == [p2]
    recent = _board(desk.operator, since=since.isoformat())
    assert {p2, p3} <= set(recent)
    assert p1 not in recent
    naive = desk.operator.get("/prescriptions", params={"since": "2026-11-22T10:00:00"})
    assert naive.status_code == 422, naive.text
    assert naive.json()["code"] == "timezone_aware"

    cancelled = desk.operator.post(f"/prescriptions/{p2}/cancel", json={"reason": "Doublon"})
    assert cancelled.status_code == 200
    assert p2 in _board(desk.operator, state="cancelled")
    assert p1 not in _board(desk.operator, state="cancelled")
    assert p1 in _board(desk.operator, state="pending")
    assert p2 not in _board(desk.operator, state="pending")
    assert _board(desk.operator, state="cancelled", q=theirs["last_name"]) == [p2]


def test_board_scope_of_supervisors_and_secretaries(desk: Desk) -> None:
    lat, lon = place()
    network = desk.network()
    _, supervisor = desk.staff("supervisor", [network])
    member_info, member = desk.staff("operator", [network])
    secretary_info, secretary = desk.staff("secretary")
    patient = desk.patient(lat, lon)

    restricted = desk.send_one(patient["id"], network_id=network)["id"]  # by an operator outside
    by_member = desk.post_case(patient["id"], client=member).json()["prescriptions"][0]["id"]
    outside = desk.send_one(patient["id"])["id"]
    by_secretary = desk.post_case(patient["id"], client=secretary).json()["prescriptions"][0]["id"]

    watched = set(_board(supervisor, q=patient["last_name"]))
    assert watched == {restricted, by_member}
    assert set(_board(supervisor, scope="all", q=patient["last_name"])) == watched  # not the whole hotline
    assert set(_board(supervisor, scope="mine", q=patient["last_name"])) == set()
    assert set(_board(secretary, q=patient["last_name"])) == {by_secretary}  # their own, by default
    assert set(_board(secretary, scope="all", q=patient["last_name"])) == {by_secretary}
    assert {restricted, by_member, outside, by_secretary} == set(
        _board(desk.operator, q=patient["last_name"])
    )
    assert member_info["network_ids"] == [network]
    assert secretary_info["role"] == "secretary"
