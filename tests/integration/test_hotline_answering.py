"""The hotline answering for a professional who phones in (issue 16), on a real server process
(SQLite and PostgreSQL): accept and decline on their behalf through the same first-acceptance
path, availability on their behalf, the audit trail and the request's history, refusals."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.sync.client import ClientConnection, connect

from server.db import Database
from server.models import AuditEntry
from tests.support.dispatch import Desk, Responder, place
from tests.support.live import LiveServer, rpps_with_key, unique_phone

VIA = "par téléphone via la centrale"


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def operator_id(desk: Desk) -> int:
    return int(desk.operator.get("/auth/me").json()["id"])


def _sent_to(desk: Desk, count: int, **overrides: Any) -> tuple[int, list[Responder]]:
    lat, lon = place()
    responders = desk.responders(count, lat, lon, **overrides)
    line = desk.send_one(desk.patient(lat, lon)["id"])
    assert line["notified_count"] == count
    return line["id"], responders


def _for(client: httpx.Client, pid: int, action: str, professional: int | Any) -> httpx.Response:
    return client.post(
        f"/prescriptions/{pid}/{action}", json={"on_behalf_of": professional, "channel": "phone"}
    )


def _audit(desk: Desk, **where: Any) -> list[AuditEntry]:
    database = Database(desk.server.database_url)
    try:
        with database.session() as session:
            query = select(AuditEntry).order_by(AuditEntry.id)
            for name, value in where.items():
                query = query.where(getattr(AuditEntry, name) == value)
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows
    finally:
        database.dispose()


def _offers_socket(desk: Desk, responder: Responder) -> ClientConnection:
    url = desk.server.process.base_url.replace("http://", "ws://") + "/api/v1/me/offers/events"
    return connect(url, additional_headers={"Authorization": f"Bearer {responder.token}"}, open_timeout=10)


def _next(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return message


def test_the_operator_accepts_for_a_professional_and_the_others_are_told(
    desk: Desk, operator_id: int
) -> None:
    pid, (phoning, other, third) = _sent_to(desk, 3)
    seq = desk.feed_seq()
    with _offers_socket(desk, other) as ws:
        assert _next(ws)["prescription_id"] == pid  # the open offer, on connection

        accepted = _for(desk.operator, pid, "accept", phoning.id)
        assert accepted.status_code == 200, accepted.text
        assert _next(ws) == {"type": "offer_closed", "prescription_id": pid, "round": 1, "answer": "taken"}

    view = accepted.json()
    assert view["state"] == "accepted"
    assert view["accepted_by"] == {"id": phoning.id, "name": phoning.name}
    assert view["accepted_on_behalf"]["label"] == VIA
    assert view["accepted_on_behalf"]["by"]["id"] == operator_id
    assert desk.answers(pid) == {phoning.id: "accepted", other.id: "taken", third.id: "taken"}
    marks = {n["user_id"]: n["on_behalf"] for n in desk.notifications(pid)}
    assert marks[phoning.id]["by"]["id"] == operator_id
    assert marks[other.id] is None
    assert desk.get(pid)["accepted_on_behalf"]["by"]["id"] == operator_id  # the request's history

    events = desk.events(seq, pid)
    assert [e["type"] for e in events] == ["prescription_accepted"]
    assert events[0]["data"]["accepted_by"] == phoning.id
    assert events[0]["data"]["on_behalf_by"] == operator_id

    # The professional has the patient in care, and reads that the hotline recorded it — not who.
    care = phoning.client.get("/me/cases", params={"section": "care"}).json()["items"]
    assert pid in [item["id"] for item in care]
    own = phoning.client.get(f"/prescriptions/{pid}").json()
    assert own["accepted_on_behalf"] == {"channel": "phone", "label": VIA, "by": None}
    for responder in (other, third):
        assert pid not in responder.offer_ids()

    [entry] = _audit(desk, action="prescription_accept", user_id=operator_id, status=200)[-1:]
    assert entry.role == "operator"
    assert entry.detail["prescription_id"] == pid
    assert entry.detail["on_behalf_of"] == phoning.id
    assert entry.detail["on_behalf_of_name"] == phoning.name
    assert (entry.detail["channel"], entry.detail["via"]) == ("phone", VIA)
    assert entry.patient_id is not None

    late = _for(desk.operator, pid, "accept", third.id)
    assert late.status_code == 409
    assert late.json()["code"] == "state_accepted"
    assert late.json()["detail"] == f"Trop tard : cette demande a déjà été acceptée par {phoning.name}"
    refused = _audit(desk, action="on_behalf_refused", user_id=operator_id)[-1]
    assert (refused.status, refused.detail["reason"], refused.detail["on_behalf_of"]) == (
        409,
        "state_accepted",
        third.id,
    )
    assert refused.patient_id == entry.patient_id
    assert other.client.post(f"/prescriptions/{pid}/accept").status_code == 409


def _race(desk: Desk, pid: int, phoning: Responder, in_app: Responder) -> dict[str, int]:
    """The operator accepts for `phoning` while `in_app` accepts in the app, at the same moment."""
    results: dict[str, int] = {}
    barrier = threading.Barrier(2)

    def by_phone() -> None:
        barrier.wait()
        results["phone"] = _for(desk.operator, pid, "accept", phoning.id).status_code

    def by_app() -> None:
        barrier.wait()
        results["app"] = in_app.client.post(f"/prescriptions/{pid}/accept").status_code

    threads = [threading.Thread(target=by_phone), threading.Thread(target=by_app)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_the_first_acceptance_wins_between_the_phone_and_the_app(desk: Desk) -> None:
    for _ in range(4):
        pid, (phoning, in_app) = _sent_to(desk, 2)
        results = _race(desk, pid, phoning, in_app)
        assert sorted(results.values()) == [200, 409], results
        winner = phoning.id if results["phone"] == 200 else in_app.id
        assert desk.get(pid)["accepted_by"]["id"] == winner
        assert sorted(desk.answers(pid).values(), key=str) == ["accepted", "taken"]


def test_the_operator_declines_for_a_professional(desk: Desk, operator_id: int) -> None:
    pid, (phoning, other) = _sent_to(desk, 2)
    seq = desk.feed_seq()
    declined = _for(desk.operator, pid, "decline", phoning.id)
    assert declined.status_code == 200, declined.text
    assert declined.json()["state"] == "pending"
    assert desk.answers(pid) == {phoning.id: "declined", other.id: None}
    [mark] = [n["on_behalf"] for n in desk.notifications(pid) if n["user_id"] == phoning.id]
    assert mark == {"channel": "phone", "label": VIA, "by": {"id": operator_id, "name": mark["by"]["name"]}}
    [event] = desk.events(seq, pid)
    assert (event["type"], event["data"]["user_id"], event["data"]["on_behalf_by"]) == (
        "prescription_declined",
        phoning.id,
        operator_id,
    )
    assert pid not in phoning.offer_ids()
    assert pid in other.offer_ids()
    entry = _audit(desk, action="prescription_decline", user_id=operator_id)[-1]
    assert (entry.detail["on_behalf_of"], entry.detail["channel"]) == (phoning.id, "phone")
    # A professional's own answer carries no mark, and its event no `on_behalf_by`.
    seq = desk.feed_seq()
    assert other.client.post(f"/prescriptions/{pid}/decline").status_code == 200
    [own] = desk.events(seq, pid)
    assert "on_behalf_by" not in own["data"]


def test_availability_on_behalf_changes_the_next_matching(desk: Desk, operator_id: int) -> None:
    lat, lon = place()
    phoning, other = desk.responders(2, lat, lon)
    until = (desk.now() + timedelta(hours=3)).isoformat()
    paused = desk.operator.put(
        f"/professionals/{phoning.id}/availability",
        json={"availability": "unavailable", "unavailable_until": until, "channel": "phone"},
    )
    assert paused.status_code == 200, paused.text
    status = paused.json()["professional"]
    assert status["availability"] == "unavailable"
    assert status["availability_label"].startswith("Indisponible jusqu'au ")
    line = desk.send_one(desk.patient(lat, lon)["id"])
    assert desk.notified(line["id"]) == {other.id}
    entry = _audit(desk, action="profile_update", user_id=operator_id)[-1]
    assert (entry.detail["on_behalf_of"], entry.detail["availability"], entry.detail["via"]) == (
        phoning.id,
        "unavailable",
        VIA,
    )

    back = desk.operator.put(f"/professionals/{phoning.id}/availability", json={"availability": "both"})
    assert back.status_code == 200, back.text
    assert back.json()["professional"]["availability_label"] == "Disponible (C&V)"
    line = desk.send_one(desk.patient(lat, lon)["id"])
    assert desk.notified(line["id"]) == {phoning.id, other.id}

    office = desk.operator.put(f"/professionals/{phoning.id}/availability", json={"availability": "office"})
    assert office.json()["professional"]["availability_label"] == "Disponible Cabinet"
    line = desk.send_one(desk.patient(lat, lon)["id"])  # a home visit: not for « Cabinet »
    assert desk.notified(line["id"]) == {other.id}


def test_search_and_status_show_the_open_offers(desk: Desk) -> None:
    phone = unique_phone()
    pid, (phoning, _other) = _sent_to(desk, 2, phone=phone)
    by_rpps = desk.operator.get("/professionals", params={"q": phoning.rpps}).json()
    assert [p["user_id"] for p in by_rpps] == [phoning.id]
    by_phone = desk.operator.get("/professionals", params={"q": phone}).json()
    assert phoning.id in [p["user_id"] for p in by_phone]
    last_name = phoning.profile["last_name"]
    by_name = desk.operator.get("/professionals", params={"q": last_name.lower(), "profession": "60"}).json()
    assert [p["user_id"] for p in by_name] == [phoning.id]
    assert by_name[0]["availability_label"] == "Disponible (C&V)"

    status = desk.operator.get(f"/professionals/{phoning.id}")
    assert status.status_code == 200, status.text
    [offer] = [o for o in status.json()["open_offers"] if o["prescription_id"] == pid]
    assert 0 < offer["time_left_seconds"] <= 3600
    assert offer["patient_name"]
    assert offer["care_type"] == "Pansement"
    shown = _audit(desk, action="professional_offers_read")[-1]
    assert (shown.detail["prescription_id"], shown.detail["professional_id"]) == (pid, phoning.id)
    assert shown.patient_id is not None

    assert _for(desk.operator, pid, "accept", phoning.id).status_code == 200
    after = desk.operator.get(f"/professionals/{phoning.id}").json()
    assert pid not in [o["prescription_id"] for o in after["open_offers"]]
    assert pid in [c["prescription_id"] for c in after["in_care"]]


def test_an_rpps_starting_with_0_is_found_by_its_number_not_taken_for_a_phone(desk: Desk) -> None:
    """An RPPS is 11 digits with a Luhn key, any first digit (the GUI tests' random ones start with 0
    one time in ten): typed whole or in part, it finds its professional."""
    rpps = rpps_with_key(secrets.randbelow(10**9))  # « 0… »
    assert rpps.startswith("0")
    pro, _ = desk.server.professional(rpps=rpps)
    for typed in (rpps, rpps[:9], rpps[:4]):
        found = desk.operator.get("/professionals", params={"q": typed})
        assert found.status_code == 200, found.text
        assert pro["user_id"] in [p["user_id"] for p in found.json()], typed
    assert [p["user_id"] for p in desk.operator.get("/professionals", params={"q": rpps}).json()] == [
        pro["user_id"]
    ]


def test_forbidden_roles_are_refused_and_audited(desk: Desk) -> None:
    pid, (phoning, other) = _sent_to(desk, 2)
    secretary_user, secretary = desk.staff("secretary")
    refused = _for(secretary, pid, "accept", phoning.id)
    assert refused.status_code == 403
    assert _audit(desk, action="forbidden", user_id=secretary_user["id"])
    assert secretary.get("/professionals", params={"q": "dal"}).status_code == 403
    assert (
        secretary.put(f"/professionals/{phoning.id}/availability", json={"availability": "both"}).status_code
        == 403
    )

    by_professional = _for(other.client, pid, "accept", phoning.id)
    assert by_professional.status_code == 403
    assert by_professional.json()["code"] == "on_behalf_forbidden"
    entry = _audit(desk, action="forbidden", user_id=other.id)[-1]
    assert (entry.detail["attempted"], entry.detail["reason"]) == (
        "prescription_accept",
        "on_behalf_forbidden",
    )
    assert entry.patient_id is None  # the refused caller's request names no patient
    assert other.client.get(f"/professionals/{phoning.id}").status_code == 403

    alone = desk.operator.post(f"/prescriptions/{pid}/accept")
    assert (alone.status_code, alone.json()["code"]) == (403, "on_behalf_required")
    assert desk.answers(pid) == {phoning.id: None, other.id: None}  # nothing changed


def test_bad_input_gets_a_clear_french_error_and_changes_nothing(desk: Desk) -> None:
    pid, (phoning, _other) = _sent_to(desk, 2)
    lat, lon = place()
    [stranger] = desk.responders(1, lat, lon)

    unknown = _for(desk.operator, pid, "accept", 987_654_321)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "professional_not_found")
    assert "introuvable" in unknown.json()["detail"]
    not_notified = _for(desk.operator, pid, "accept", stranger.id)
    assert (not_notified.status_code, not_notified.json()["code"]) == (409, "not_notified")
    assert stranger.name in not_notified.json()["detail"]
    assert _for(desk.operator, 987_654_321, "accept", phoning.id).status_code == 404
    for body in (
        {"on_behalf_of": "abc"},
        {"on_behalf_of": phoning.id, "channel": "sms"},
        {"on_behalf_of": -1},
    ):
        wrong = desk.operator.post(f"/prescriptions/{pid}/accept", json=body)
        assert wrong.status_code == 422, wrong.text
        assert wrong.json()["detail"]
    not_json = desk.operator.post(
        f"/prescriptions/{pid}/accept", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code in (400, 422)
    too_long = desk.operator.put(
        f"/professionals/{phoning.id}/availability",
        json={
            "availability": "unavailable",
            "unavailable_until": (desk.now() + timedelta(hours=72)).isoformat(),
        },
    )
    assert (too_long.status_code, too_long.json()["code"]) == (422, "unavailable_range")
    assert "48 h" in too_long.json()["detail"]
    naive = desk.operator.put(
        f"/professionals/{phoning.id}/availability",
        json={"availability": "unavailable", "unavailable_until": "2030-01-01T10:00:00"},
    )
    assert naive.status_code == 422
    assert desk.operator.get("/professionals/987654321").status_code == 404
    assert desk.operator.get("/professionals", params={"q": "x" * 101}).status_code == 422
    assert desk.operator.get("/professionals", params={"q": "0612"}).status_code == 200
    assert desk.answers(pid) == {phoning.id: None, _other.id: None}
    assert desk.get(pid)["state"] == "pending"
