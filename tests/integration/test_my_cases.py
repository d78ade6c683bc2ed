"""A professional's lists over HTTP: « Patients en Soins », « en Coordination », « Mes
Déclenchements », « Mes archives », and the offers count of the header."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.care_scenes import audit, ok, open_desk, refused
from tests.support.dispatch import Desk, Responder, place, prescription
from tests.support.live import LiveServer

SECTIONS = ("care", "coordination", "requests", "archive")


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    yield from open_desk(server)


def lists(who: Responder) -> dict[str, list[int]]:
    found = {}
    for section in SECTIONS:
        answer = ok(who.client.get("/me/cases", params={"section": section}))
        assert answer["section"] == section
        found[section] = [item["id"] for item in answer["items"]]
    return found


@dataclass
class Team:
    """One case, two prescriptions (a nurse's, a physiotherapist's), both accepted; the patient's
    usual doctor; a stranger nearby."""

    patient: dict[str, Any]
    nursing: int
    physio: int
    nurse: Responder
    physio_therapist: Responder
    doctor: Responder
    stranger: Responder


@pytest.fixture
def team(desk: Desk) -> Team:
    lat, lon = place()
    nurse, stranger = desk.responders(2, lat, lon)
    physio = desk.responders(1, lat, lon, profession_code="70")[0]
    doctor = desk.responders(1, lat, lon, profession_code="10")[0]
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], doctor)
    sent = desk.send(
        patient["id"],
        prescription(days=3, visits_per_day=2),
        prescription(profession_code="70", care_type="Kiné respiratoire"),
    )
    nursing, physio_id = (line["id"] for line in sent["prescriptions"])
    ok(nurse.client.post(f"/prescriptions/{nursing}/accept"))
    ok(physio.client.post(f"/prescriptions/{physio_id}/accept"))
    return Team(patient, nursing, physio_id, nurse, physio, doctor, stranger)


def test_care_and_coordination_of_one_episode(desk: Desk, team: Team) -> None:
    assert lists(team.nurse) == {
        "care": [team.nursing],
        "coordination": [team.physio],
        "requests": [],
        "archive": [],
    }
    assert lists(team.physio_therapist)["coordination"] == [team.nursing]
    # The usual doctor (not notified: another profession) follows both in « Patients en Coordination ».
    assert sorted(lists(team.doctor)["coordination"]) == sorted([team.nursing, team.physio])
    assert lists(team.stranger) == {section: [] for section in SECTIONS}
    answer = ok(team.nurse.client.get("/me/cases", params={"section": "care"}))
    assert answer["label"] == "Patients en Soins"
    [item] = answer["items"]
    assert item["anonymised"] is False
    assert item["patient"]["last_name"] == team.patient["last_name"]
    assert (item["care"]["visits_done"], item["care"]["visits_planned"]) == (0, 6)
    [doctor_view] = [
        i
        for i in ok(team.doctor.client.get("/me/cases", params={"section": "coordination"}))["items"]
        if i["id"] == team.nursing
    ]
    assert doctor_view["usual_label"] == f"Professionnel de santé habituel : {team.doctor.name}"
    # The doctor and the co-treating physiotherapist read the nurse's prescription in full.
    for who in (team.doctor, team.physio_therapist):
        assert desk.get(team.nursing, who.client)["anonymised"] is False
    shown = audit(desk, user_id=team.nurse.id, action="my_cases")
    assert {(e["patient_id"], e["detail"]["section"], e["detail"]["prescription_id"]) for e in shown} >= {
        (team.patient["id"], "care", team.nursing),
        (team.patient["id"], "coordination", team.physio),
    }


def test_the_end_of_a_series_moves_it_to_the_archive_and_out_of_coordination(desk: Desk, team: Team) -> None:
    base = f"/prescriptions/{team.nursing}"
    ok(team.nurse.client.post(f"{base}/start"))
    ok(team.nurse.client.post(f"{base}/reports", json={"text": "Soins faits"}), 201)
    ok(team.nurse.client.post(f"{base}/end-series"))
    mine = lists(team.nurse)
    assert (mine["care"], mine["archive"]) == ([], [team.nursing])
    # « chez lesquels vous êtes intervenus » : the physiotherapist still in care stays in coordination.
    assert mine["coordination"] == [team.physio]
    assert lists(team.physio_therapist)["coordination"] == []
    assert lists(team.doctor)["coordination"] == [team.physio]


def test_requests_made_through_the_app_or_the_hotline(desk: Desk) -> None:
    lat, lon = place()
    requester = desk.responders(1, lat, lon, profession_code="10")[0]
    patient = desk.patient(lat, lon)
    body = desk.case_body(patient["id"])
    body["requester"] = {"user_id": requester.id}
    by_hotline = ok(desk.operator.post("/cases", json=body), 201)["prescriptions"][0]["id"]
    # Now a patient of theirs: they send for them from the app too.
    own = ok(requester.client.post("/cases", json=body), 201)["prescriptions"][0]["id"]
    assert lists(requester)["requests"] == [own, by_hotline]
    [item] = [
        i
        for i in ok(requester.client.get("/me/cases", params={"section": "requests"}))["items"]
        if i["id"] == own
    ]
    assert (item["anonymised"], item["state"], item["time_left_seconds"] > 0) == (False, "pending", True)


def test_the_offers_count_of_the_header(desk: Desk) -> None:
    lat, lon = place()
    first, second = desk.responders(2, lat, lon)
    patient = desk.patient(lat, lon)
    sent = [desk.send_one(patient["id"])["id"] for _ in range(2)]
    for who in (first, second):
        assert ok(who.client.get("/me/offers/count")) == {"count": 2}
        assert ok(who.client.get("/me/cases", params={"section": "care"}))["offers_count"] == 2
    ok(first.client.post(f"/prescriptions/{sent[0]}/decline"))
    ok(second.client.post(f"/prescriptions/{sent[1]}/accept"))
    assert ok(first.client.get("/me/offers/count")) == {"count": 0}  # one declined, one taken
    assert ok(second.client.get("/me/offers/count")) == {"count": 1}
    assert [o["id"] for o in ok(second.client.get("/me/offers"))] == [sent[0]]


def test_bad_sections_and_roles(desk: Desk) -> None:
    who = desk.responders(1, *place())[0]
    refused(who.client.get("/me/cases", params={"section": "soins"}), 422, "literal_error")
    refused(who.client.get("/me/cases"), 422, "missing")
    for path in ("/me/cases?section=care", "/me/offers/count", "/me/profile"):
        refused(desk.operator.get(path), 403, "forbidden", "Accès refusé pour votre rôle")
