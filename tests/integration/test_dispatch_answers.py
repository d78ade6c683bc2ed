"""What responders answer: accept (first one wins), decline, start, finish; and cancelling after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.dispatch import Desk, Responder, north, place
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def _sent_to(desk: Desk, count: int) -> tuple[int, list[Responder]]:
    """A pending prescription and the `count` responders it was sent to."""
    lat, lon = place()
    responders = desk.responders(count, lat, lon)
    patient = desk.patient(lat, lon)
    line = desk.send_one(patient["id"])
    assert line["notified_count"] == count
    return line["id"], responders


def _post(responder: Responder, pid: int, action: str, body: dict[str, Any] | None = None) -> Any:
    return responder.client.post(f"/prescriptions/{pid}/{action}", json=body)


def test_the_first_accept_wins_and_the_others_are_told(desk: Desk) -> None:
    pid, (first, second, third) = _sent_to(desk, 3)
    seq = desk.feed_seq()

    accepted = _post(first, pid, "accept")
    assert accepted.status_code == 200, accepted.text
    view = accepted.json()
    assert (view["state"], view["state_label"]) == ("accepted", f"Accepté par {first.name}")
    assert view["accepted_by"] == {"id": first.id, "name": first.name}
    assert view["accepted_at"] is not None
    assert desk.answers(pid) == {first.id: "accepted", second.id: "taken", third.id: "taken"}
    assert desk.get(pid)["state_label"] == f"Accepté par {first.name}"

    late = _post(second, pid, "accept")
    assert late.status_code == 409
    assert late.json() == {
        "detail": "Cette demande a déjà été acceptée",
        "code": "state_accepted",
        "state": "accepted",
    }
    assert _post(first, pid, "accept").status_code == 409  # accepting twice changes nothing
    assert desk.answers(pid)[second.id] == "taken"
    for responder in (first, second, third):
        assert pid not in responder.offer_ids()
    events = desk.events(seq, pid)
    assert [e["type"] for e in events] == ["prescription_accepted"]
    assert events[0]["data"]["accepted_by"] == first.id


def test_decline_removes_the_offer_from_that_responder_only(desk: Desk) -> None:
    pid, (declining, other) = _sent_to(desk, 2)
    seq = desk.feed_seq()

    declined = _post(declining, pid, "decline")
    assert declined.status_code == 200, declined.text
    assert declined.json()["state"] == "pending"
    assert desk.answers(pid) == {declining.id: "declined", other.id: None}
    assert pid not in declining.offer_ids()
    assert pid in other.offer_ids()
    assert _post(declining, pid, "decline").status_code == 200  # saying it twice is harmless
    assert desk.event_types(seq, pid) == ["prescription_declined"]

    assert _post(other, pid, "accept").status_code == 200
    assert desk.answers(pid) == {declining.id: "declined", other.id: "accepted"}  # « declined » stays
    after = _post(declining, pid, "decline")
    assert (after.status_code, after.json()["code"]) == (409, "state_accepted")


def test_only_the_acceptor_starts_and_finishes_with_a_report(desk: Desk) -> None:
    pid, (acceptor, other) = _sent_to(desk, 2)
    before = _post(acceptor, pid, "start")  # nobody accepted yet
    assert before.status_code == 409, before.text
    assert before.json()["detail"] == "Cette demande est encore en attente d'acceptation"
    assert _post(acceptor, pid, "finish", {"report": "Trop tôt"}).status_code == 409
    assert _post(acceptor, pid, "accept").status_code == 200

    for action, body in (("start", None), ("finish", {"report": "Pas le mien"})):
        refused = _post(other, pid, action, body)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Seul l'intervenant qui a accepté peut faire cela"
    early = _post(acceptor, pid, "finish", {"report": "Pansement fait"})
    assert early.status_code == 409
    assert early.json()["code"] == "state_accepted"
    seq = desk.feed_seq()

    started = _post(acceptor, pid, "start")
    assert started.status_code == 200, started.text
    assert (started.json()["state"], started.json()["state_label"]) == ("started", "Débuté")
    assert started.json()["started_at"] is not None
    again = _post(acceptor, pid, "start")
    assert (again.status_code, again.json()["detail"]) == (409, "Cette demande a déjà débuté")

    for body in ({}, {"report": ""}):
        assert _post(acceptor, pid, "finish", body).status_code == 422
    finished = _post(acceptor, pid, "finish", {"report": "Pansement refait, plaie propre"})
    assert finished.status_code == 200, finished.text
    view = finished.json()
    assert (view["state"], view["state_label"]) == ("finished", "Terminé")
    assert view["report"] == "Pansement refait, plaie propre"
    assert view["finished_at"] is not None
    assert view["closed_at"] is not None
    assert desk.get(pid)["report"] == "Pansement refait, plaie propre"
    # The finish's report is one of the prescription's reports (« CR »), then the state changes.
    events = ["prescription_started", "prescription_reported", "prescription_finished"]
    assert desk.event_types(seq, pid) == events
    assert [r["text"] for r in view["care"]["reports"]] == ["Pansement refait, plaie propre"]

    cancelled = desk.operator.post(f"/prescriptions/{pid}/cancel", json={"reason": "Trop tard"})
    assert cancelled.status_code == 409
    assert cancelled.json()["detail"] == "Cette demande est terminée"
    assert desk.get(pid)["state"] == "finished"


def test_a_responder_never_notified_can_do_nothing(desk: Desk) -> None:
    pid, _ = _sent_to(desk, 1)
    stranger = desk.responder(*place())
    for action, body in (("accept", None), ("decline", None), ("start", None), ("finish", {"report": "x"})):
        refused = _post(stranger, pid, action, body)
        assert refused.status_code == 403, (action, refused.text)
    assert desk.get(pid)["state"] == "pending"


def test_who_may_cancel(desk: Desk) -> None:
    lat, lon = place()
    requester, other = desk.responders(2, lat, lon)
    patient = desk.patient(lat, lon)
    body = desk.case_body(patient["id"])
    body["requester"] = {"user_id": requester.id}
    sent = desk.operator.post("/cases", json=body)
    assert sent.status_code == 201, sent.text
    pid = sent.json()["prescriptions"][0]["id"]

    refused = _post(other, pid, "cancel", {"reason": "Je ne suis pas le demandeur"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Seul le demandeur ou la centrale peut annuler cette demande"
    assert _post(requester, pid, "accept").status_code == 200  # the requester is a nurse nearby too
    cancelled = _post(requester, pid, "cancel", {"reason": "Soins faits par moi-même"})
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["state"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "Soins faits par moi-même",
    )
    assert desk.answers(pid) == {requester.id: "accepted", other.id: "taken"}


def test_a_requester_who_is_not_a_responder_reads_and_cancels_their_request(desk: Desk) -> None:
    lat, lon = place()
    nurse = desk.responder(lat, lon)
    doctor = desk.responder(*north(lat, lon, 400), profession_code="10")  # far away, another profession
    patient = desk.patient(lat, lon)
    body = desk.case_body(patient["id"])
    body["requester"] = {"rpps": doctor.rpps}
    sent = desk.operator.post("/cases", json=body)
    assert sent.status_code == 201, sent.text
    pid = sent.json()["prescriptions"][0]["id"]
    assert desk.notified(pid) == {nurse.id}

    view = desk.get(pid, doctor.client)
    assert view["anonymised"] is False
    assert view["patient"]["last_name"] == patient["last_name"]
    assert view["requester"]["name"] == doctor.name
    cancelled = _post(doctor, pid, "cancel", {"reason": "Le patient est hospitalisé"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert desk.answers(pid) == {nurse.id: "cancelled"}
