"""What a professional's ties to a patient let them read and write, over HTTP: the history of the
episode they accepted, the care record, the usual professionals; the usual professionals'
priority, withdrawn when they are removed and ended when they all decline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.care_scenes import audit, episode, ok, open_desk, refusals, refused
from tests.support.dispatch import Desk, north, place, prescription
from tests.support.live import LiveServer

NOT_YOURS = "Vous n'intervenez pas auprès de ce patient"
TRUSTED = [{"name": "Paul Martin", "relation": "Fils", "phone": "01 99 00 45 67"}]


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    yield from open_desk(server)


def test_a_usual_professional_reads_the_file_and_the_whole_history(desk: Desk) -> None:
    lat, lon = place()
    nurse = desk.responders(1, lat, lon)[0]
    patient = desk.patient(lat, lon)
    pid = patient["id"]
    for path in (f"/patients/{pid}", f"/patients/{pid}/timeline"):
        refused(nurse.client.get(path), 403, "forbidden", NOT_YOURS)
    assert [(e["action"], e["status"], e["role"]) for e in refusals(desk, nurse.id, pid)] == [
        ("forbidden", 403, "professional")
    ] * 2
    desk.usual(pid, nurse)
    read = ok(nurse.client.get(f"/patients/{pid}"))
    assert (read["last_name"], read["usual_professionals"][0]["user_id"]) == (patient["last_name"], nurse.id)
    assert {e["kind"] for e in ok(nurse.client.get(f"/patients/{pid}/timeline"))} >= {
        "created",
        "usual_professionals",
    }
    search = nurse.client.get("/patients", params={"phone": patient["phone"]})
    refused(search, 403, "forbidden", "Accès refusé pour votre rôle")  # searching is the hotline's
    # Not in care of the patient: no writes.
    refused(nurse.client.patch(f"/patients/{pid}", json={"version": 2}), 403, "not_in_care")
    refused(nurse.client.put(f"/patients/{pid}/usual-professionals", json=[]), 403, "not_in_care")
    ok(desk.operator.put(f"/patients/{pid}/usual-professionals", json=[]))
    refused(nurse.client.get(f"/patients/{pid}"), 403, "forbidden", NOT_YOURS)


def test_an_acceptor_reads_the_history_of_their_episode_only(desk: Desk) -> None:
    scene = episode(desk, accepted=False)
    pid = scene.patient["id"]
    earlier = desk.send_one(pid, care_type="Prise de sang")["id"]  # another episode of the patient
    ok(desk.operator.post(f"/prescriptions/{earlier}/comments", json={"text": "Autre épisode"}), 201)
    # Notified only: neither the file nor the history (today's rule), each refusal audited.
    for path in (f"/patients/{pid}", f"/patients/{pid}/timeline"):
        refused(scene.acceptor.client.get(path), 403, "forbidden", NOT_YOURS)
    assert len(refusals(desk, scene.acceptor.id, pid)) == 2

    ok(scene.post(scene.acceptor, "accept"))
    ok(desk.operator.post(f"{scene.base}/comments", json={"text": "Sonner deux fois"}), 201)
    record = ok(scene.acceptor.client.get(f"/patients/{pid}"))
    assert (record["last_name"], record["trusted_persons"]) == (scene.patient["last_name"], [])
    history = ok(scene.acceptor.client.get(f"/patients/{pid}/timeline"))
    case_id = scene.view()["case_id"]
    assert {e["data"]["case_id"] for e in history} == {case_id}
    # The episode's own request steps (issue 18: the patient page's Horodatage), not the other one's.
    assert [e["kind"] for e in history] == ["comment", "request_accepted", "request_sent", "case"]
    staff_history = ok(desk.operator.get(f"/patients/{pid}/timeline"))
    assert {"created", "case", "comment"} <= {e["kind"] for e in staff_history}
    assert len(staff_history) > len(history)
    reads = audit(desk, user_id=scene.acceptor.id, patient_id=pid)
    assert [e["action"] for e in reads if e["action"] != "forbidden"][-2:] == [
        "patient_read",
        "patient_timeline",
    ]
    assert reads[-1]["detail"]["scope"] == [case_id]
    # The other responder notified of it, and a stranger: 403, audited.
    stranger = desk.responders(1, *place())[0]
    for who in (scene.other, stranger):
        for path in (f"/patients/{pid}", f"/patients/{pid}/timeline"):
            refused(who.client.get(path), 403, "forbidden", NOT_YOURS)
        assert [(e["status"], e["detail"]["attempted"]) for e in refusals(desk, who.id, pid)] == [
            (403, "patient_read"),
            (403, "patient_timeline"),
        ]
    refused(scene.acceptor.client.get("/patients/999999999"), 404, "not_found", "Patient introuvable")


def test_the_care_record_is_written_by_the_staff_and_the_acceptor_in_care(desk: Desk) -> None:
    scene = episode(desk)
    pid = scene.patient["id"]
    version = ok(desk.operator.get(f"/patients/{pid}"))["version"]
    body = {"version": version, "advance_directives": "Pas d'acharnement thérapeutique"}
    # Accepted but not begun: not yet.
    refused(scene.acceptor.client.patch(f"/patients/{pid}", json=body), 403, "not_in_care")
    ok(scene.post(scene.acceptor, "start"))
    written = ok(scene.acceptor.client.patch(f"/patients/{pid}", json={**body, "trusted_persons": TRUSTED}))
    assert written["advance_directives"] == "Pas d'acharnement thérapeutique"
    assert written["trusted_persons"] == [{**TRUSTED[0], "phone": "+33199004567"}]
    assert ok(desk.operator.get(f"/patients/{pid}"))["trusted_persons"] == written["trusted_persons"]
    # Identity stays the hotline's; a stale version is refused; bad persons are refused in French.
    version = written["version"]
    refused(
        scene.acceptor.client.patch(f"/patients/{pid}", json={"version": version, "floor": "2"}),
        403,
        "identity_reserved",
    )
    refused(scene.acceptor.client.patch(f"/patients/{pid}", json=body), 409, "stale_version")
    bad = [{"name": "Paul", "relation": "Fils", "phone": "12"}]
    refused(
        scene.acceptor.client.patch(f"/patients/{pid}", json={"version": version, "trusted_persons": bad}),
        422,
        "phone_invalid",
    )
    refused(
        scene.acceptor.client.patch(
            f"/patients/{pid}", json={"version": version, "advance_directives": "x" * 4001}
        ),
        422,
        "string_too_long",
    )
    # The other responder may not; the staff may (and clear the list).
    refused(
        scene.other.client.patch(f"/patients/{pid}", json={"version": version, "trusted_persons": []}),
        403,
        "not_in_care",
    )
    cleared = ok(desk.operator.patch(f"/patients/{pid}", json={"version": version, "trusted_persons": []}))
    assert cleared["trusted_persons"] == []
    writes = audit(desk, patient_id=pid, action="patient_update")
    assert [(e["user_id"], e["detail"]["fields"]) for e in writes] == [
        (scene.acceptor.id, ["advance_directives", "trusted_persons"]),
        (desk.operator.get("/auth/me").json()["id"], ["trusted_persons"]),
    ]
    denied = refusals(desk, scene.other.id, pid)
    assert [e["detail"]["reason"] for e in denied] == ["not_in_care"]
    # Once the series is ended, the acceptor writes no more.
    ok(scene.post(scene.acceptor, "reports", {"text": "Fait"}), 201)
    ok(scene.post(scene.acceptor, "end-series"))
    body = {"version": cleared["version"], "advance_directives": "Trop tard"}
    refused(scene.acceptor.client.patch(f"/patients/{pid}", json=body), 403, "not_in_care")


def test_the_acceptor_in_care_changes_the_attending_doctor(desk: Desk) -> None:
    scene = episode(desk, started=True)
    pid = scene.patient["id"]
    doctor = desk.responders(1, *scene.site, profession_code="10")[0]
    items = [{"profession_code": "10", "rpps": doctor.rpps}]
    refused(scene.other.client.put(f"/patients/{pid}/usual-professionals", json=items), 403, "not_in_care")
    changed = ok(scene.acceptor.client.put(f"/patients/{pid}/usual-professionals", json=items))
    assert [(u["rpps"], u["user_id"]) for u in changed] == [(doctor.rpps, doctor.id)]
    [entry] = audit(desk, patient_id=pid, action="patient_usual_professionals")
    assert (entry["user_id"], entry["detail"]["rpps"]) == (scene.acceptor.id, [doctor.rpps])
    history = ok(desk.operator.get(f"/patients/{pid}/timeline"))
    assert history[0]["label"].startswith(f"Professionnels habituels modifiés par {scene.acceptor.name}")
    # The new médecin traitant reads the file, and the request in full.
    assert ok(doctor.client.get(f"/patients/{pid}"))["id"] == pid
    assert scene.view(doctor.client)["anonymised"] is False
    refused(
        scene.acceptor.client.put(f"/patients/{pid}/usual-professionals", json=[{"rpps": "1"}]),
        422,
        "validation_error",
    )


def test_removing_a_usual_professional_withdraws_their_early_view(desk: Desk) -> None:
    lat, lon = place()
    usual = desk.responders(1, *north(lat, lon, 30))[0]
    pool = desk.responders(1, lat, lon)[0]
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], usual)
    pid = desk.send_one(patient["id"], response_delay_minutes=120)["id"]
    assert desk.notified(pid) == {usual.id}
    [offer] = ok(usual.client.get("/me/offers"))
    assert offer["patient"]["last_name"] == patient["last_name"]
    assert offer["usual_label"] == f"Professionnel de santé habituel : {usual.name}"

    seq = desk.feed_seq()
    ok(desk.operator.put(f"/patients/{patient['id']}/usual-professionals", json=[]))
    assert ok(usual.client.get("/me/offers")) == []
    assert desk.answers(pid)[usual.id] == "withdrawn"
    view = desk.get(pid, usual.client)  # notified once: the anonymised view, no name any more
    assert (view["anonymised"], view["patient"], view["usual_label"]) == (True, None, None)
    assert patient["last_name"] not in str(view)
    # Nobody left to answer in the priority window: the pool is notified at once.
    assert desk.notified(pid) == {usual.id, pool.id}
    assert "prescription_pool_opened" in desk.event_types(seq, pid)


def test_when_every_usual_professional_declines_the_pool_opens_at_once(desk: Desk) -> None:
    lat, lon = place()
    first, second = desk.responders(2, *north(lat, lon, 30))
    pool = desk.responders(1, lat, lon)[0]
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], first, second)
    line = desk.send_one(patient["id"], response_delay_minutes=600)
    pid = line["id"]
    assert desk.notified(pid) == {first.id, second.id}
    ok(first.client.post(f"/prescriptions/{pid}/decline"))
    assert desk.notified(pid) == {first.id, second.id}  # the other usual professional may still answer
    seq = desk.feed_seq()
    ok(second.client.post(f"/prescriptions/{pid}/decline"))
    assert desk.notified(pid) == {first.id, second.id, pool.id}
    assert desk.event_types(seq, pid) == ["prescription_declined", "prescription_pool_opened"]
    view = desk.get(pid)
    assert view["priority_until"] < line["priority_until"]  # the priority ended there
    assert [o["id"] for o in ok(pool.client.get("/me/offers"))] == [pid]
    ok(pool.client.post(f"/prescriptions/{pid}/accept"))


def test_a_usual_professional_of_another_profession_is_not_an_offer(desk: Desk) -> None:
    lat, lon = place()
    doctor = desk.responders(1, lat, lon, profession_code="10")[0]
    nurse = desk.responders(1, lat, lon)[0]
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], doctor)
    pid = desk.send(patient["id"], prescription())["prescriptions"][0]["id"]
    assert desk.notified(pid) == {nurse.id}  # no usual nurse: the pool at once
    assert ok(doctor.client.get("/me/offers")) == []
    view = desk.get(pid, doctor.client)  # but the médecin traitant follows it, in full
    assert (view["anonymised"], view["usual_label"]) == (
        False,
        f"Professionnel de santé habituel : {doctor.name}",
    )
