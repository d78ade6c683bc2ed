"""Who may write to whom, and patient threads (issue 20), on a real server, SQLite and PostgreSQL:
the recipients' search (names only, ≥ 3 letters, accents ignored, only people allowed to see the
patient), refusals audited with the person refused, strangers answered 404 and audited, every read
of a patient thread audited, the patient's name hidden from who lost access."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.live import LiveServer
from tests.support.messaging import Person, patient, professional, sql, staff, start


@pytest.fixture(scope="module")
def people(server: LiveServer) -> dict[str, Person]:
    return {
        "helene": professional(server, last_name="Hélöise-Dubreuil", phone="06 98 00 11 22"),
        "marc": professional(server),
        "stranger": professional(server),
        "operator": staff(server, name="Gaëlle Opératrice Ñandou"),
        "secretary": staff(server, role="secretary", name="Gaëlle Secrétaire Ñandou"),
    }


def _audits(server: LiveServer, user_id: int, action: str) -> list[dict[str, Any]]:
    rows = sql(
        server,
        "SELECT action, status, patient_id, detail FROM audit_entries WHERE user_id = :u AND action = :a"
        " ORDER BY id",
        u=user_id,
        a=action,
    )
    return [
        {"action": a, "status": s, "patient_id": p, "detail": json.loads(d) if isinstance(d, str) else d}
        for a, s, p, d in rows
    ]


def test_recipients_by_name_only(people: dict[str, Person]) -> None:
    helene, marc, operator = people["helene"], people["marc"], people["operator"]
    short = marc.client.get("/messaging/recipients", params={"q": "hé"})
    assert short.status_code == 422, short.text
    assert short.json()["detail"] == "Saisissez au moins 3 lettres du nom"
    # Accents and case ignored, a word of the name enough: « heloise » finds Hélöise-Dubreuil.
    found = marc.client.get("/messaging/recipients", params={"q": "heloise"})
    assert found.status_code == 200, found.text
    [hit] = [r for r in found.json() if r["user_id"] == helene.user_id]
    assert set(hit) == {"user_id", "name", "role", "detail"}
    assert hit["role"] == "professional"
    assert hit["detail"].startswith("Infirmier")
    assert "98 00 11 22" not in found.text
    assert "0698001122" not in found.text
    assert "@" not in found.text
    # The hotline's staff by a word of their name; a secretary (or an admin) is nobody to write to.
    staffed = marc.client.get("/messaging/recipients", params={"q": "nandou"}).json()
    assert [(r["user_id"], r["detail"]) for r in staffed] == [(operator.user_id, "Opérateur de la centrale")]
    # Oneself is never a recipient.
    assert helene.user_id not in {r["user_id"] for r in helene.client.get(
        "/messaging/recipients", params={"q": "heloise"}).json()}  # fmt: skip


def test_a_patient_thread_admits_only_who_may_see_the_patient(
    server: LiveServer, people: dict[str, Person]
) -> None:
    helene, marc, operator = people["helene"], people["marc"], people["operator"]
    patient_id = patient(operator.client, usual=[helene])

    # The search with the patient: Hélène (a usual professional) yes, Marc (no tie) no.
    def search(q: str) -> set[int]:
        response = operator.client.get("/messaging/recipients", params={"q": q, "patient_id": patient_id})
        assert response.status_code == 200, response.text
        return {r["user_id"] for r in response.json()}

    assert helene.user_id in search("heloise")
    assert marc.user_id not in search(marc.name)
    assert marc.user_id in {r["user_id"] for r in operator.client.get(
        "/messaging/recipients", params={"q": marc.name}).json()}  # fmt: skip
    # Marc may not search on that patient at all: 403, audited against the patient.
    refused_search = marc.client.get(
        "/messaging/recipients", params={"q": "heloise", "patient_id": patient_id}
    )
    assert refused_search.status_code == 403
    # Starting with Marc: 403, audited with the person refused; nothing created.
    body = {"participant_ids": [helene.user_id, marc.user_id], "text": "Pansement", "patient_id": patient_id}
    refused = operator.client.post("/threads", json=body)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "patient_not_visible"
    assert refused.json()["user_id"] == marc.user_id
    [audit] = [
        a
        for a in _audits(server, operator.user_id, "forbidden")
        if a["detail"]["attempted"] == "thread_start"
    ]
    assert audit["status"] == 403
    assert audit["patient_id"] == patient_id
    assert audit["detail"]["reason"] == "patient_not_visible"
    assert audit["detail"]["user_id"] == marc.user_id
    # With Hélène alone: created, the patient named for both.
    thread = start(operator, helene, patient_id=patient_id, subject="Pansement")
    assert thread["patient"]["id"] == patient_id
    assert thread["patient"]["name"] is not None
    # Adding Marc later: 403, audited the same way.
    added = helene.client.post(f"/threads/{thread['id']}/participants", json={"user_ids": [marc.user_id]})
    assert added.status_code == 403, added.text
    refusals = [
        a
        for a in _audits(server, helene.user_id, "forbidden")
        if a["detail"]["attempted"] == "thread_participants_add"
    ]
    assert [(r["patient_id"], r["detail"]["user_id"], r["status"]) for r in refusals] == [
        (patient_id, marc.user_id, 403)
    ]
    participants = {
        p["user_id"] for p in helene.client.get(f"/threads/{thread['id']}").json()["participants"]
    }
    assert marc.user_id not in participants


def test_strangers_learn_nothing_and_reads_are_audited(server: LiveServer, people: dict[str, Person]) -> None:
    helene, operator, stranger = people["helene"], people["operator"], people["stranger"]
    patient_id = patient(operator.client, usual=[helene])
    thread = start(operator, helene, patient_id=patient_id, subject="Suivi")
    thread_id = thread["id"]
    for url in (f"/threads/{thread_id}", f"/threads/{thread_id}/messages", f"/threads/{thread_id}/leave"):
        answer = stranger.client.post(url) if url.endswith("leave") else stranger.client.get(url)
        assert answer.status_code == 404, (url, answer.text)
        assert answer.json()["code"] == "thread_not_found"
        assert str(patient_id) not in answer.text
    unknown = stranger.client.get(f"/threads/{thread_id + 10_000_000}")
    assert unknown.status_code == 404
    assert unknown.json() == stranger.client.get(f"/threads/{thread_id}").json()  # the same answer
    refusals = [
        a for a in _audits(server, stranger.user_id, "forbidden") if a["detail"].get("thread_id") == thread_id
    ]
    assert len(refusals) >= 3
    assert {(a["status"], a["patient_id"], a["detail"]["reason"]) for a in refusals} == {
        (404, patient_id, "thread_not_found")
    }
    # Hélène's reads: the header, the messages, the list — each an entry naming the patient.
    assert helene.client.get(f"/threads/{thread_id}").status_code == 200
    assert helene.client.get(f"/threads/{thread_id}/messages").status_code == 200
    assert helene.client.get("/threads").status_code == 200
    for action in ("thread_read", "thread_messages_read", "thread_list_read"):
        entries = [
            a for a in _audits(server, helene.user_id, action) if a["detail"]["thread_id"] == thread_id
        ]
        assert [a["patient_id"] for a in entries] == [patient_id], action
    # Posting is audited as a write of the patient's data.
    assert [a["patient_id"] for a in _audits(server, operator.user_id, "thread_start")][-1] == patient_id


def test_a_participant_who_lost_access_no_longer_sees_the_name(people: dict[str, Person]) -> None:
    helene, operator = people["helene"], people["operator"]
    patient_id = patient(operator.client, usual=[helene])
    thread = start(operator, helene, patient_id=patient_id)
    assert helene.client.get(f"/threads/{thread['id']}").json()["patient"]["name"] is not None
    cleared = operator.client.put(f"/patients/{patient_id}/usual-professionals", json=[])
    assert cleared.status_code == 200, cleared.text
    view = helene.client.get(f"/threads/{thread['id']}").json()
    assert view["patient"] == {"id": patient_id, "name": None}
    listed = next(t for t in helene.client.get("/threads").json()["items"] if t["id"] == thread["id"])
    assert listed["patient"] == {"id": patient_id, "name": None}
    assert operator.client.get(f"/threads/{thread['id']}").json()["patient"]["name"] is not None


def test_admins_and_secretaries_have_no_messaging(server: LiveServer, people: dict[str, Person]) -> None:
    secretary = people["secretary"]
    assert secretary.client.get("/threads").status_code == 403
    assert server.admin().get("/threads").status_code == 403
    assert secretary.user_id not in {
        r["user_id"]
        for r in people["marc"].client.get("/messaging/recipients", params={"q": "nandou"}).json()
    }
