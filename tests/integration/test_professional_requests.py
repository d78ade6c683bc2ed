"""A professional's own requests over HTTP (« Mes Déclenchements »): creating the patient with
the hotline's identity checks, sending a case in their own name, renewing their expired ones."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.integration.care_scenes import audit, ok, open_desk, refusals, refused
from tests.support.dispatch import Desk, Responder, place, prescription
from tests.support.live import LiveServer, make_nir, patient_body


@pytest.fixture(scope="module")
def desk(clock_server: LiveServer) -> Iterator[Desk]:
    yield from open_desk(clock_server)


def own_case(who: Responder, patient_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "caller": {"name": who.name},
        "requester": {"user_id": who.id},
        "patient_id": patient_id,
        "prescriptions": [prescription(**overrides)],
    }


def test_a_professional_creates_a_patient_with_the_same_identity_checks(desk: Desk) -> None:
    lat, lon = place()
    doctor = desk.responders(1, lat, lon, profession_code="10")[0]
    born = date(1961, 4, 2)
    nir = make_nir(2, born)
    body = patient_body(
        latitude=lat, longitude=lon, birth_date_obj=born, nir=nir, acknowledge_duplicates=False
    )
    wrong_key = nir[:13] + f"{(int(nir[13:]) + 1) % 97:02d}"
    refused(
        doctor.client.post("/patients", json={**body, "nir": wrong_key}),
        422,
        "nir_key_invalid",
        "NIR : La clé du NIR est invalide",
    )
    refused(doctor.client.post("/patients", json={**body, "sex": "M"}), 422, "nir_sex_mismatch")
    created = ok(doctor.client.post("/patients", json=body), 201)
    assert (created["nir"], created["ins_oid"]) == (nir, "1.2.250.1.213.1.4.8")
    assert ok(doctor.client.get(f"/patients/{created['id']}"))["id"] == created["id"]  # its creator reads it
    # Taken NIR, likely duplicate: said, but without the other patient's id.
    taken = refused(
        doctor.client.post("/patients", json={**body, "phone": "01 99 00 77 01"}), 409, "nir_exists"
    )
    assert "patient_id" not in taken
    twin = {**body, "nir": None, "acknowledge_duplicates": False}
    duplicates = refused(doctor.client.post("/patients", json=twin), 409, "possible_duplicates")["duplicates"]
    assert duplicates
    assert all(set(d) == {"reasons"} for d in duplicates)
    staff_view = refused(desk.operator.post("/patients", json=twin), 409, "possible_duplicates")["duplicates"]
    assert created["id"] in [d["id"] for d in staff_view]
    refused(doctor.client.post("/patients", json={**body, "last_name": ""}), 422, "name_required")
    assert [e["action"] for e in audit(desk, user_id=doctor.id, patient_id=created["id"])][:1] == [
        "patient_create"
    ]


def test_a_professional_sends_in_their_own_name_for_their_patient(desk: Desk) -> None:
    lat, lon = place()
    doctor = desk.responders(1, lat, lon, profession_code="10")[0]
    nurse = desk.responders(1, lat, lon)[0]
    mine = ok(doctor.client.post("/patients", json=patient_body(latitude=lat, longitude=lon)), 201)
    key = str(uuid.uuid4())
    sent = doctor.client.post("/cases", json=own_case(doctor, mine["id"]), headers={"Idempotency-Key": key})
    created = ok(sent, 201)
    again = doctor.client.post("/cases", json=own_case(doctor, mine["id"]), headers={"Idempotency-Key": key})
    assert (ok(again, 201), again.headers["Idempotent-Replayed"]) == (created, "true")
    [line] = created["prescriptions"]
    assert (line["state"], line["notified_count"]) == ("pending", 1)
    offer = ok(nurse.client.get(f"/prescriptions/{line['id']}"))
    assert (offer["anonymised"], offer["requester"]["name"]) == (True, doctor.name)
    # a registered requester is named by their user id too: « Écrire au professionnel » ticks them
    assert offer["requester"]["user_id"] == doctor.id
    assert ok(doctor.client.get("/me/cases", params={"section": "requests"}))["items"][0]["id"] == line["id"]
    [entry] = audit(desk, user_id=doctor.id, action="case_create")
    assert (entry["patient_id"], entry["status"], entry["detail"]["case_id"]) == (
        mine["id"],
        201,
        created["case_id"],
    )
    # Same rules as the desktop: an empty comment, both a date and a delay, are refused in French.
    empty = own_case(doctor, mine["id"], comment="  ")
    refused(doctor.client.post("/cases", json=empty), 422, "comment_required")
    both = own_case(doctor, mine["id"], intervention_at="2026-12-24T10:00:00", intervention_tz="Europe/Paris")
    refused(doctor.client.post("/cases", json=both), 422, "intervention_both")
    # The patient's acceptor may ask for more care (« Demander un déclenchement »).
    ok(nurse.client.post(f"/prescriptions/{line['id']}/accept"))
    ok(
        nurse.client.post("/cases", json=own_case(nurse, mine["id"], profession_code="70", care_type="Kiné")),
        201,
    )


def test_no_case_for_a_stranger_nor_in_another_name(desk: Desk) -> None:
    lat, lon = place()
    doctor = desk.responders(1, lat, lon, profession_code="10")[0]
    somebody = desk.patient(lat, lon)
    refused(
        doctor.client.post("/cases", json=own_case(doctor, somebody["id"])),
        403,
        "forbidden",
        "Vous n'intervenez pas auprès de ce patient",
    )
    [denied] = refusals(desk, doctor.id, somebody["id"])
    assert denied["detail"]["attempted"] == "case_create"
    mine = ok(doctor.client.post("/patients", json=patient_body(latitude=lat, longitude=lon)), 201)
    for requester in ({"rpps": desk.requester_rpps}, {"user_id": desk.operator.get("/auth/me").json()["id"]}):
        body = {**own_case(doctor, mine["id"]), "requester": requester}
        refused(doctor.client.post("/cases", json=body), 403, "requester_not_self")
    refused(
        doctor.client.post("/cases", json=own_case(doctor, 999999999)),
        404,
        "not_found",
        "Patient introuvable",
    )
    assert ok(doctor.client.get("/me/cases", params={"section": "requests"}))["items"] == []


def test_a_professional_renews_their_own_expired_request(desk: Desk) -> None:
    lat, lon = place()
    doctor, colleague = desk.responders(2, lat, lon, profession_code="10")
    # A nurse nearby: the request reaches someone (one that reached nobody is renewable, issue 18).
    desk.responders(1, lat, lon, profession_code="60")
    mine = ok(doctor.client.post("/patients", json=patient_body(latitude=lat, longitude=lon)), 201)
    line = ok(doctor.client.post("/cases", json=own_case(doctor, mine["id"], response_delay_minutes=15)), 201)
    pid = line["prescriptions"][0]["id"]
    renew = {"response_delay_minutes": 30, "comment": "Toujours besoin d'un passage"}
    refused(doctor.client.post(f"/prescriptions/{pid}/renew", json=renew), 409, "state_pending")
    desk.advance(16 * 60)
    [item] = ok(doctor.client.get("/me/cases", params={"section": "requests"}))["items"]
    assert (item["state"], item["state_label"]) == (
        "expired",
        "Annulé : aucun intervenant n'a accepté dans le délai",
    )
    refused(colleague.client.post(f"/prescriptions/{pid}/renew", json=renew), 403, "not_requester")
    assert refusals(desk, colleague.id, mine["id"])[-1]["detail"]["attempted"] == "prescription_renew"
    renewed = ok(doctor.client.post(f"/prescriptions/{pid}/renew", json=renew))
    assert (renewed["state"], renewed["round"]) == ("pending", 2)
    assert renewed["comment"].endswith("[2e Déclenchement] Toujours besoin d'un passage")
    refused(
        doctor.client.post(f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 0}),
        422,
        "greater_than_equal",
    )
    ok(doctor.client.post(f"/prescriptions/{pid}/cancel", json={"reason": "Patient hospitalisé"}))
    [entry] = audit(desk, user_id=doctor.id, action="prescription_renew")
    assert entry["patient_id"] == mine["id"]
