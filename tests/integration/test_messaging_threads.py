"""Messaging (issue 20) end to end on a real server, SQLite and PostgreSQL: a thread from « Rédiger »
to leaving, read marks and unread counts, « vu par », attachments, no edit nor delete, feed events."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.live import LiveServer
from tests.support.messaging import PDF, PNG, Person, post, professional, sql, staff, start


@pytest.fixture(scope="module")
def people(server: LiveServer) -> dict[str, Person]:
    return {
        "anne": professional(server),
        "bruno": professional(server),
        "chloe": professional(server),
        "operator": staff(server),
    }


def _unread(person: Person) -> dict[str, Any]:
    response = person.client.get("/threads/unread")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_thread_from_start_to_read_marks(people: dict[str, Person]) -> None:
    anne, bruno, operator = people["anne"], people["bruno"], people["operator"]
    before = _unread(bruno)
    thread = start(anne, bruno, operator, subject="Pansement de M. X", text="Bonjour à tous")
    assert thread["subject"] == "Pansement de M. X"
    assert thread["patient"] is None
    assert thread["created_by"] == {"id": anne.user_id, "name": thread["created_by"]["name"]}
    assert {p["user_id"] for p in thread["participants"]} == {anne.user_id, bruno.user_id, operator.user_id}
    assert thread["last_message"]["text"] == "Bonjour à tous"
    assert thread["unread"] == 0  # the author's own message
    assert not thread["left"]
    assert not thread["archived"]
    for participant in thread["participants"]:
        assert set(participant) == {
            "user_id", "name", "role", "detail", "joined_at", "left_at", "last_read_message_id",
        }  # fmt: skip
    # Bruno sees one unread message in one more thread; the list says so too.
    after = _unread(bruno)
    assert after["unread_threads"] == before["unread_threads"] + 1
    assert after["unread_messages"] == before["unread_messages"] + 1
    listed = bruno.client.get("/threads").json()
    mine = next(t for t in listed["items"] if t["id"] == thread["id"])
    assert mine["unread"] == 1
    assert listed["unread_threads"] == after["unread_threads"]
    # Two more messages from the operator: Bruno has 3 unread; he reads up to the second.
    second = post(operator, thread["id"], "Je m'en occupe")
    third = post(operator, thread["id"], "C'est fait")
    assert second["id"] < third["id"]
    assert bruno.client.get(f"/threads/{thread['id']}").json()["unread"] == 3
    marked = bruno.client.post(f"/threads/{thread['id']}/read", json={"up_to_message_id": second["id"]})
    assert marked.status_code == 204, marked.text
    assert bruno.client.get(f"/threads/{thread['id']}").json()["unread"] == 1
    # A mark never goes back; « vu par »: Bruno's mark is the second message.
    back = bruno.client.post(f"/threads/{thread['id']}/read", json={"up_to_message_id": 1})
    assert back.status_code == 204
    seen = anne.client.get(f"/threads/{thread['id']}").json()
    marks = {p["user_id"]: p["last_read_message_id"] for p in seen["participants"]}
    assert marks[bruno.user_id] == second["id"]
    assert marks[operator.user_id] == third["id"]  # the author's own post marks it read
    assert seen["unread"] == 2
    # Past the last message: capped at the last one; then nothing unread.
    bruno.client.post(f"/threads/{thread['id']}/read", json={"up_to_message_id": third["id"] + 10_000})
    assert bruno.client.get(f"/threads/{thread['id']}").json()["unread"] == 0
    assert _unread(bruno) == before


def test_feed_events_name_the_participants(server: LiveServer, people: dict[str, Person]) -> None:
    anne, chloe = people["anne"], people["chloe"]
    thread = start(anne, chloe)
    posted = post(chloe, thread["id"], "Reçu")
    chloe.client.post(f"/threads/{thread['id']}/read", json={"up_to_message_id": posted["id"]})
    anne.client.post(f"/threads/{thread['id']}/read", json={"up_to_message_id": posted["id"]})
    rows = sql(
        server,
        "SELECT type, data FROM events WHERE type IN ('message_posted', 'thread_read', "
        "'thread_participants_changed') ORDER BY seq",
    )
    found = [(kind, _json(data)) for kind, data in rows if _json(data)["thread_id"] == thread["id"]]
    both = sorted([anne.user_id, chloe.user_id])
    assert [kind for kind, _ in found] == ["message_posted", "message_posted", "thread_read"]
    assert found[0][1]["author_id"] == anne.user_id
    expected = {"thread_id": thread["id"], "participant_ids": both, "message_id": posted["id"]}
    assert found[1][1] == {**expected, "author_id": chloe.user_id}
    # Chloé's own post already marked it read for her: only Anne's mark moved.
    assert found[2][1]["user_id"] == anne.user_id
    assert "patient_id" not in found[0][1]


def _json(data: Any) -> dict[str, Any]:
    import json

    result: dict[str, Any] = json.loads(data) if isinstance(data, str) else data
    return result


def test_leaving_then_being_added_again(people: dict[str, Person]) -> None:
    anne, bruno, chloe = people["anne"], people["bruno"], people["chloe"]
    thread = start(anne, bruno, chloe)
    before_leaving = post(anne, thread["id"], "Avant son départ")
    left = bruno.client.post(f"/threads/{thread['id']}/leave")
    assert left.status_code == 200, left.text
    assert left.json()["left"] is True
    assert bruno.user_id not in _current(left.json())
    after_leaving = post(anne, thread["id"], "Après son départ")
    refused = bruno.client.post(f"/threads/{thread['id']}/messages", json={"text": "Encore moi"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "not_a_participant"
    # He reads up to his leaving, not after; nothing after counts as unread for him.
    page = bruno.client.get(f"/threads/{thread['id']}/messages").json()
    ids = [m["id"] for m in page["items"]]
    assert before_leaving["id"] in ids
    assert after_leaving["id"] not in ids
    newer = bruno.client.get(f"/threads/{thread['id']}/messages", params={"after": before_leaving["id"]})
    assert newer.json() == {"items": [], "has_more": False}
    view = bruno.client.get(f"/threads/{thread['id']}").json()
    assert view["last_message"]["id"] == before_leaving["id"]
    assert view["unread"] == 2  # Anne's two messages before his leaving, not the one after
    # Chloé adds him back: he writes again and reads everything.
    added = chloe.client.post(f"/threads/{thread['id']}/participants", json={"user_ids": [bruno.user_id]})
    assert added.status_code == 200, added.text
    assert bruno.user_id in _current(added.json())
    post(bruno, thread["id"], "De retour")
    ids = [m["id"] for m in bruno.client.get(f"/threads/{thread['id']}/messages").json()["items"]]
    assert after_leaving["id"] in ids


def _current(thread: dict[str, Any]) -> set[int]:
    return {p["user_id"] for p in thread["participants"] if p["left_at"] is None}


def test_attachments_checked_like_documents(people: dict[str, Person]) -> None:
    anne, bruno = people["anne"], people["bruno"]
    thread = start(anne, bruno)
    url = f"/threads/{thread['id']}/messages"
    files = [
        ("files", ("plaie.png", PNG, "image/png")),
        ("files", ("ordonnance.pdf", PDF, "application/pdf")),
    ]
    sent = anne.client.post(url, data={"text": "Photo et ordonnance"}, files=files)
    assert sent.status_code == 201, sent.text
    attachments = sent.json()["attachments"]
    assert [(a["filename"], a["content_type"]) for a in attachments] == [
        ("plaie.png", "image/png"),
        ("ordonnance.pdf", "application/pdf"),
    ]
    got = bruno.client.get(f"/threads/{thread['id']}/attachments/{attachments[0]['id']}")
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("attachment;")
    # A .png that is text: refused by content; nothing posted.
    count = len(bruno.client.get(url).json()["items"])
    fake = anne.client.post(
        url, data={"text": "x"}, files=[("files", ("photo.png", b"hello, world", "image/png"))]
    )
    assert fake.status_code == 415, fake.text
    assert fake.json()["code"] == "unsupported_media_type"
    big = b"%PDF-" + b"0" * (2 * 1024 * 1024)
    too_big = anne.client.post(
        url, data={"text": "x"}, files=[("files", ("gros.pdf", big, "application/pdf"))]
    )
    assert too_big.status_code == 413, too_big.text
    six = [("files", (f"p{i}.png", PNG, "image/png")) for i in range(6)]
    assert anne.client.post(url, data={"text": "x"}, files=six).status_code == 422
    assert len(bruno.client.get(url).json()["items"]) == count
    # A photo alone, without a text.
    alone = anne.client.post(url, data={"text": ""}, files=[("files", ("seule.png", PNG, "image/png"))])
    assert alone.status_code == 201, alone.text
    assert alone.json()["text"] == ""


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_no_edit_nor_delete(server: LiveServer, people: dict[str, Person], method: str) -> None:
    anne, bruno = people["anne"], people["bruno"]
    thread = start(anne, bruno, text="Message définitif")
    message_id = thread["last_message"]["id"]
    response = anne.client.request(
        method, f"/threads/{thread['id']}/messages/{message_id}", json={"text": "x"}
    )
    assert response.status_code == 405, response.text
    assert response.json()["code"] == "message_immutable"
    assert bruno.client.get(f"/threads/{thread['id']}").json()["last_message"]["text"] == "Message définitif"
    # Nor behind the application's back: the database refuses it.
    with pytest.raises(Exception, match="immutable"):
        sql(server, "UPDATE messages SET text = 'réécrit' WHERE id = :id", id=message_id)


def test_a_thread_started_as_a_form_with_a_file(people: dict[str, Person]) -> None:
    anne, bruno, chloe = people["anne"], people["bruno"], people["chloe"]
    fields = {
        "participant_ids": [str(bruno.user_id), str(chloe.user_id)],
        "text": "",
        "subject": "",
        "patient_id": "",
    }
    created = anne.client.post("/threads", data=fields, files=[("files", ("plaie.png", PNG, "image/png"))])
    assert created.status_code == 201, created.text
    thread = created.json()
    assert {p["user_id"] for p in thread["participants"]} == {anne.user_id, bruno.user_id, chloe.user_id}
    assert thread["subject"] is None
    assert thread["patient"] is None
    first = thread["last_message"]
    assert first["text"] == ""
    assert [a["filename"] for a in first["attachments"]] == ["plaie.png"]
    # Without a file, a text is required.
    bare = anne.client.post("/threads", data={"participant_ids": [str(bruno.user_id)], "text": ""})
    assert bare.status_code == 422, bare.text
