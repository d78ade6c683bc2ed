"""Incidents: seen by their author and the supervisors of the author's networks, nobody else."""

from __future__ import annotations

import json

import httpx

from tests.integration.exchange_scenes import check_served_feed, feed_events, scene
from tests.support.live import LiveServer

TEXT = "Patient agressif, intervention écourtée"


def _ids(client: httpx.Client, **params: int) -> list[int]:
    listed = client.get("/incidents", params=params)
    assert listed.status_code == 200, listed.text
    return [i["id"] for i in listed.json()]


def test_an_incident_is_seen_by_its_author_and_their_network_supervisors(server: LiveServer) -> None:
    ours, other = server.network(), server.network()
    author_info, author = server.professional(network_ids=[ours])
    _, supervisor = server.user("supervisor", [ours])
    _, other_supervisor = server.user("supervisor", [other])
    _, both_supervisor = server.user("supervisor", [other, ours])
    _, colleague = server.user("operator", [ours])

    reported = author.post("/incidents", json={"text": TEXT})
    assert reported.status_code == 201, reported.text
    incident = reported.json()
    assert incident["network_ids"] == [ours]
    assert incident["author"]["id"] == author_info["user_id"]
    assert (incident["text"], incident["prescription_id"], incident["case_id"]) == (TEXT, None, None)

    assert incident["id"] in _ids(author)
    assert incident["id"] in _ids(supervisor)
    assert incident["id"] in _ids(both_supervisor)
    assert incident["id"] not in _ids(other_supervisor)
    assert incident["id"] not in _ids(colleague)  # same network, but not a supervisor
    admin = server.admin()
    assert admin.get("/incidents").status_code == 403
    assert admin.post("/incidents", json={"text": TEXT}).status_code == 403

    # A supervisor's own incident goes to the supervisors of their network, not to the others.
    own = other_supervisor.post("/incidents", json={"text": "Ligne saturée ce matin"}).json()
    assert own["id"] in _ids(other_supervisor)
    assert own["id"] in _ids(both_supervisor)
    assert own["id"] not in _ids(supervisor)
    _, lonely = server.user("operator")
    alone = lonely.post("/incidents", json={"text": "Sans réseau"}).json()
    assert alone["network_ids"] == []
    assert _ids(lonely) == [alone["id"]]

    # The networks are those of the moment it was reported.
    moved = admin.patch(f"/admin/professionals/{author_info['user_id']}", json={"network_ids": [other]})
    assert moved.status_code == 200, moved.text
    later = author.post("/incidents", json={"text": "Deuxième incident"}).json()
    assert later["network_ids"] == [other]
    assert incident["id"] in _ids(supervisor)
    assert later["id"] not in _ids(supervisor)
    assert incident["id"] not in _ids(other_supervisor)
    assert later["id"] in _ids(other_supervisor)
    assert _ids(author)[:2] == [later["id"], incident["id"]]  # newest first

    events = feed_events(server, "incident_reported", incident_id=incident["id"])
    assert len(events) == 1
    assert events[0]["data"] == {"incident_id": incident["id"], "network_ids": [ours]}
    assert (events[0]["case_id"], events[0]["prescription_id"]) == (None, None)
    assert TEXT not in json.dumps(events[0], ensure_ascii=False)
    check_served_feed(supervisor, events[0], "incident_reported")


def test_an_incident_about_a_prescription(server: LiveServer) -> None:
    s = scene(server, longitude=7.0)
    admin = server.admin()
    responder = s.responders[0]

    about = responder.post("/incidents", json={"text": TEXT, "prescription_id": s.prescription_id})
    assert about.status_code == 201, about.text
    assert about.json()["case_id"] == s.case_id
    audit = admin.get("/admin/audit", params={"patient_id": s.patient_id, "action": "incident_report"}).json()
    assert [e["detail"]["incident_id"] for e in audit] == [about.json()["id"]]
    assert _ids(responder, prescription_id=s.prescription_id) == [about.json()["id"]]
    assert _ids(responder, prescription_id=s.prescription_id + 100000) == []

    by_case = s.operator.post("/incidents", json={"text": "Appelant injoignable", "case_id": s.case_id})
    assert by_case.status_code == 201, by_case.text
    assert by_case.json()["prescription_id"] is None
    assert _ids(s.operator, case_id=s.case_id) == [by_case.json()["id"]]
    assert _ids(s.requester) == []
    assert s.requester.post("/incidents", json={"text": "Retard", "case_id": s.case_id}).status_code == 201

    for link in ({"prescription_id": s.prescription_id}, {"case_id": s.case_id}):
        refused = s.outsider.post("/incidents", json={"text": TEXT, **link})
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    cases: list[tuple[dict[str, object], int, str]] = [
        ({"text": TEXT, "prescription_id": 999999999}, 404, "not_found"),
        ({"text": TEXT, "case_id": 999999999}, 404, "not_found"),
        (
            {"text": TEXT, "prescription_id": s.prescription_id, "case_id": s.case_id + 1},
            422,
            "case_mismatch",
        ),
        ({"text": "   "}, 422, "text_required"),
        ({"text": "x" * 4001}, 422, "string_too_long"),
    ]
    for payload, status, code in cases:
        refused = s.operator.post("/incidents", json=payload)
        assert (refused.status_code, refused.json()["code"]) == (status, code), payload
    denied = admin.get("/admin/audit", params={"action": "forbidden"}).json()
    assert any(e["detail"].get("attempted") == "incident_report" for e in denied)

    # Reading an incident about a patient's care is audited as patient data; other incidents are not.
    read = admin.get("/admin/audit", params={"patient_id": s.patient_id, "action": "incident_read"}).json()
    assert {e["detail"]["incident_id"] for e in read} == {about.json()["id"], by_case.json()["id"]}
    info, lonely = server.user("operator")
    assert lonely.post("/incidents", json={"text": "Sans patient"}).status_code == 201
    assert len(_ids(lonely)) == 1
    assert admin.get("/admin/audit", params={"user_id": info["id"], "action": "incident_read"}).json() == []
