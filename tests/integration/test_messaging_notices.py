"""A new message is told to the thread's other participants per their preferences (issue 20), on a
real server, SQLite and PostgreSQL: the delivery log says which channel each got, or why not; the
notice names the author and the subject, never the text nor the patient."""

from __future__ import annotations

from typing import Any

from tests.support.live import LiveServer
from tests.support.messaging import Person, patient, post, professional, staff, start
from tests.support.polling import wait_until


def _log(server: LiveServer, person: Person) -> list[dict[str, Any]]:
    response = server.admin().get(
        "/admin/deliveries", params={"user_id": person.user_id, "purpose": "message"}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_each_other_participant_is_told_per_preferences(server: LiveServer) -> None:
    author = professional(server)
    by_sms = professional(server, phone="06 98 00 33 44")
    silent = professional(server)
    by_default = professional(server)
    operator = staff(server)
    sms_only = {"push": False, "sms": True, "events": {"message": ["sms"]}}
    assert by_sms.client.put("/me/profile", json={"channels": sms_only}).status_code == 200
    nothing = {"push": True, "sms": False, "events": {"message": []}}
    assert silent.client.put("/me/profile", json={"channels": nothing}).status_code == 200
    patient_id = patient(operator.client, usual=[author, by_sms, silent, by_default])
    patient_name = operator.client.get(f"/patients/{patient_id}").json()["last_name"]
    thread = start(
        author,
        by_sms,
        silent,
        by_default,
        patient_id=patient_id,
        subject="Suivi plaie",
        text="Texte confidentiel",
    )
    wait_until(lambda: len(_log(server, by_sms)) == 1 and len(_log(server, by_default)) == 1)
    [sms] = _log(server, by_sms)
    assert sms["channel"] == "sms"
    assert sms["status"] != "suppressed", sms
    assert sms["text"] == f"Nouveau message de {_name(author, thread)} dans « Suivi plaie »."
    assert "confidentiel" not in sms["text"]
    assert patient_name.upper() not in sms["text"].upper()
    # Default preferences (push, e-mail off by default): push, but no device subscribed — said so.
    [push] = _log(server, by_default)
    assert (push["channel"], push["status"], push["reason"]) == (
        "push",
        "suppressed",
        "aucun appareil abonné aux notifications",
    )
    wait_until(lambda: len(_log(server, silent)) == 1)
    [off] = _log(server, silent)
    assert (off["status"], off["reason"]) == ("suppressed", "canal désactivé")
    # The author is never told of their own message; a second message is a second notice.
    post(by_default, thread["id"], "Bien reçu")
    wait_until(lambda: len(_log(server, author)) == 1)
    wait_until(lambda: len(_log(server, by_sms)) == 2)
    assert all(r["text"].startswith("Nouveau message de ") for r in _log(server, by_sms))
    assert len(_log(server, by_default)) == 1  # not told of their own


def test_who_left_is_told_nothing_more_and_staff_by_their_desktop_only(server: LiveServer) -> None:
    author, leaving, operator = professional(server), professional(server), staff(server)
    thread = start(author, leaving, operator, subject="Organisation")
    wait_until(lambda: len(_log(server, leaving)) == 1)
    assert leaving.client.post(f"/threads/{thread['id']}/leave").status_code == 200
    post(author, thread["id"], "Après son départ")
    marker = professional(server)  # a later thread: once it is told, the planner went past the post
    start(author, marker)
    wait_until(lambda: len(_log(server, marker)) == 1)
    assert len(_log(server, leaving)) == 1
    assert _log(server, operator) == []  # no push, SMS nor e-mail (nor a « no device » row) for staff


def _name(person: Person, thread: dict[str, Any]) -> str:
    return next(str(p["name"]) for p in thread["participants"] if p["user_id"] == person.user_id)
