"""The acceptor's care loop over HTTP: visits counted against the plan, reports the hotline reads,
the end of the series that archives the file; only the acceptor, every refusal audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.integration.care_scenes import NOT_YOURS, Episode, audit, episode, ok, open_desk, refusals, refused
from tests.support.dispatch import Desk, parse_time
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    yield from open_desk(server)


def test_visits_count_against_the_plan_and_the_first_starts_the_care(desk: Desk) -> None:
    scene = episode(desk, days=2, visits_per_day=2)
    seq = desk.feed_seq()
    first = ok(scene.post(scene.acceptor, "visits", {"note": "Plaie propre"}), 201)
    assert first["state"] == "started"  # the first visit of an accepted prescription starts it
    care = first["care"]
    assert (care["visits_done"], care["visits_planned"], care["label"]) == (1, 4, "1er passage sur 4")
    [visit] = care["visits"]
    assert (visit["number"], visit["label"], visit["note"]) == (1, "1er passage sur 4", "Plaie propre")
    assert visit["by"] == {"id": scene.acceptor.id, "name": scene.acceptor.name}
    earlier = (parse_time(first["accepted_at"]) + timedelta(seconds=1)).isoformat()
    second = ok(scene.post(scene.acceptor, "visits", {"at": earlier}), 201)["care"]
    assert (second["visits_done"], second["label"]) == (2, "2e passage sur 4")
    assert parse_time(second["visits"][1]["at"]) == parse_time(earlier)
    for _ in range(2):
        ok(scene.post(scene.acceptor, "visits"), 201)
    refused(
        scene.post(scene.acceptor, "visits"),
        409,
        "visits_complete",
        "Les 4 passages prévus sont déjà enregistrés",
    )
    types = desk.event_types(seq, scene.prescription_id)
    assert types == ["prescription_started"] + ["prescription_visited"] * 4
    visited = [
        e["data"] for e in desk.events(seq, scene.prescription_id) if e["type"] == "prescription_visited"
    ]
    assert [(d["done"], d["planned"], d["user_id"]) for d in visited] == [
        (n, 4, scene.acceptor.id) for n in (1, 2, 3, 4)
    ]


def test_a_visit_is_never_in_the_future_nor_before_the_acceptance(desk: Desk) -> None:
    scene = episode(desk)
    now = desk.now()
    future = (now + timedelta(hours=1)).isoformat()
    refused(scene.post(scene.acceptor, "visits", {"at": future}), 422, "visit_in_future")
    before = (parse_time(scene.view()["accepted_at"]) - timedelta(hours=1)).isoformat()
    refused(scene.post(scene.acceptor, "visits", {"at": before}), 422, "visit_before_acceptance")
    refused(scene.post(scene.acceptor, "visits", {"at": "2026-13-40"}), 422, "datetime_from_date_parsing")
    refused(scene.post(scene.acceptor, "visits", {"at": "2026-12-01T10:00:00"}), 422, "timezone_aware")
    refused(scene.post(scene.acceptor, "visits", {"note": "x" * 2001}), 422, "string_too_long")
    refused(scene.post(scene.acceptor, "visits", {"nb": 1}), 422, "extra_forbidden")
    assert scene.view()["state"] == "accepted"  # nothing was recorded


def test_only_the_acceptor_acts_and_every_refusal_is_audited(desk: Desk) -> None:
    scene = episode(desk, started=True)
    stranger = desk.responders(1, *scene.site)[0]  # not notified of it
    pid = scene.patient["id"]
    attempts = [("visits", {}), ("reports", {"text": "Pas le mien"}), ("end-series", None)]
    for who in (scene.other, stranger):
        for tail, body in attempts:
            refused(scene.post(who, tail, body), 403, "not_yours", NOT_YOURS)
        trail = refusals(desk, who.id, pid)
        assert sorted(e["detail"]["attempted"] for e in trail) == sorted(
            ["prescription_visit", "prescription_report", "prescription_series_end"]
        )
        assert all(
            (e["status"], e["role"], e["detail"]["prescription_id"])
            == (403, "professional", scene.prescription_id)
            for e in trail
        )
    for tail, body in attempts:
        response = desk.operator.post(f"{scene.base}/{tail}", json=body)
        refused(response, 403, "forbidden", "Accès refusé pour votre rôle")
    assert scene.view()["care"]["visits_done"] == 0
    assert scene.view()["care"]["reports"] == []


def test_reports_need_the_care_begun_and_the_hotline_reads_them(desk: Desk) -> None:
    scene = episode(desk)
    refused(
        scene.post(scene.acceptor, "reports", {"text": "Trop tôt"}),
        409,
        "not_started",
        "Les soins n'ont pas encore débuté",
    )
    for body in ({}, {"text": "   "}, {"text": "x" * 4001}):
        assert scene.post(scene.acceptor, "reports", body).status_code == 422
    ok(scene.post(scene.acceptor, "start"))
    seq = desk.feed_seq()
    ok(scene.post(scene.acceptor, "reports", {"text": "Bilan sanguin prélevé"}), 201)
    answer = ok(
        scene.post(scene.acceptor, "reports", {"text": "Résultats transmis au médecin traitant"}), 201
    )
    assert [r["text"] for r in answer["care"]["reports"]] == [
        "Bilan sanguin prélevé",
        "Résultats transmis au médecin traitant",
    ]
    assert desk.event_types(seq, scene.prescription_id) == ["prescription_reported"] * 2
    # The hotline's details: the prescription's view and the patient's « Horodatage ».
    details = scene.view()
    assert [r["author"]["name"] for r in details["care"]["reports"]] == [scene.acceptor.name] * 2
    timeline = ok(desk.operator.get(f"/patients/{scene.patient['id']}/timeline"))
    reports = [e for e in timeline if e["kind"] == "report"]
    assert [e["label"] for e in reports] == [
        f"Compte rendu de {scene.acceptor.name} : Résultats transmis au médecin traitant",
        f"Compte rendu de {scene.acceptor.name} : Bilan sanguin prélevé",
    ]
    assert all(e["data"]["prescription_id"] == scene.prescription_id for e in reports)
    writes = audit(desk, user_id=scene.acceptor.id, action="prescription_report")
    assert [(e["status"], e["patient_id"]) for e in writes] == [(201, scene.patient["id"])] * 2


def test_end_of_series_needs_a_report_and_archives_the_file(desk: Desk) -> None:
    scene = episode(desk, started=True)
    ok(scene.post(scene.acceptor, "visits"), 201)
    refused(scene.post(scene.acceptor, "end-series"), 409, "report_required")
    ok(scene.post(scene.acceptor, "reports", {"text": "Soins faits"}), 201)
    care = ok(scene.acceptor.client.get("/me/cases", params={"section": "care"}))
    assert scene.prescription_id in [i["id"] for i in care["items"]]
    seq = desk.feed_seq()
    ended = ok(scene.post(scene.acceptor, "end-series"))
    assert ended["state"] == "finished"  # a started prescription is finished with its series
    assert ended["care"]["series_ended_at"] is not None
    assert desk.event_types(seq, scene.prescription_id) == [
        "prescription_finished",
        "prescription_series_ended",
    ]
    sections = {
        s: [i["id"] for i in ok(scene.acceptor.client.get("/me/cases", params={"section": s}))["items"]]
        for s in ("care", "archive")
    }
    assert scene.prescription_id not in sections["care"]
    assert sections["archive"][0] == scene.prescription_id
    # Nothing more once archived.
    for tail, body in (("visits", {}), ("reports", {"text": "Encore"}), ("end-series", None)):
        refused(scene.post(scene.acceptor, tail, body), 409, "series_ended")
    labels = [e["label"] for e in ok(desk.operator.get(f"/patients/{scene.patient['id']}/timeline"))]
    assert f"Fin série de soins par {scene.acceptor.name} (Pansement)" in labels


def test_finish_then_end_of_series(desk: Desk) -> None:
    scene = episode(desk, started=True)
    finished = ok(scene.post(scene.acceptor, "finish", {"report": "Intervention terminée"}))
    assert finished["state"] == "finished"
    assert [r["text"] for r in finished["care"]["reports"]] == ["Intervention terminée"]
    refused(scene.post(scene.acceptor, "visits"), 409, "state_finished")
    ok(
        scene.post(scene.acceptor, "reports", {"text": "Complément : pansement à refaire par le médecin"}),
        201,
    )
    ended = ok(scene.post(scene.acceptor, "end-series"))
    assert (ended["state"], len(ended["care"]["reports"])) == ("finished", 2)


def test_unknown_prescription_and_states(desk: Desk) -> None:
    scene: Episode = episode(desk, accepted=False)
    refused(
        scene.acceptor.client.post("/prescriptions/999999999/visits", json={}),
        404,
        "not_found",
        "Demande introuvable",
    )
    # Offered but not accepted yet: the state says why, whoever asks among those notified.
    refused(scene.post(scene.acceptor, "visits"), 409, "state_pending")
    refused(scene.acceptor.client.post("/prescriptions/abc/visits", json={}), 422, "int_parsing")
