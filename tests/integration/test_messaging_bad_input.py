"""No input to the messaging routes gives a 500 (issue 20), on a real server, SQLite and PostgreSQL:
each refusal is the documented status and code, in French."""

from __future__ import annotations

from typing import Any

import pytest

from shared.schemas.messaging import MESSAGE_TEXT_MAX
from tests.support.live import LiveServer
from tests.support.messaging import Person, professional, start

HUGE = 2**63 - 1
BEYOND = 2**64


@pytest.fixture(scope="module")
def pair(server: LiveServer) -> tuple[Person, Person, int]:
    anne, bruno = professional(server), professional(server)
    return anne, bruno, int(start(anne, bruno)["id"])


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"participant_ids": [], "text": "x"}, 422, None),
        ({"participant_ids": [999_999_999], "text": "x"}, 422, "recipient_unknown"),
        ({"participant_ids": [HUGE], "text": "x"}, 422, "recipient_unknown"),
        ({"participant_ids": [BEYOND], "text": "x"}, 422, None),
        ({"participant_ids": [0], "text": "x"}, 422, None),
        ({"participant_ids": "1", "text": "x"}, 422, None),
        ({"participant_ids": list(range(1, 40)), "text": "x"}, 422, None),
        ({"text": "x"}, 422, None),
        ("not an object", 422, None),
        ({"participant_ids": ["BRUNO"], "text": ""}, 422, None),
        ({"participant_ids": ["BRUNO"], "text": "   "}, 422, None),
        ({"participant_ids": ["BRUNO"], "text": "x" * (MESSAGE_TEXT_MAX + 1)}, 422, None),
        ({"participant_ids": ["BRUNO"], "text": "nul\x00"}, 422, None),
        ({"participant_ids": ["BRUNO"], "text": "x", "subject": "s" * 121}, 422, None),
        ({"participant_ids": ["BRUNO"], "text": "x", "patient_id": 999_999_999}, 404, "not_found"),
        ({"participant_ids": ["BRUNO"], "text": "x", "prescription_id": HUGE}, 404, "not_found"),
        ({"participant_ids": ["BRUNO"], "text": "x", "extra": 1}, 422, None),
        ({"participant_ids": ["ANNE"], "text": "moi seule"}, 422, "participants_required"),
    ],
)
def test_starting_a_thread(
    pair: tuple[Person, Person, int], body: Any, status: int, code: str | None
) -> None:
    anne, bruno, _ = pair
    if isinstance(body, dict):
        ids = {"BRUNO": bruno.user_id, "ANNE": anne.user_id}
        body = {**body, "participant_ids": [ids.get(i, i) for i in body.get("participant_ids", [])]} | (
            {} if "participant_ids" in body else {"participant_ids": None}
        )
        body = {k: v for k, v in body.items() if v is not None}
    response = anne.client.post("/threads", json=body)
    assert response.status_code == status, response.text
    assert "detail" in response.json()
    if code is not None:
        assert response.json()["code"] == code


@pytest.mark.parametrize(
    ("method", "path", "params", "status"),
    [
        ("GET", "/threads/999999999", {}, 404),
        ("GET", f"/threads/{HUGE}", {}, 404),
        ("GET", f"/threads/{BEYOND}", {}, 422),
        ("GET", "/threads/-1", {}, 404),
        ("GET", "/threads/abc", {}, 422),
        ("GET", "/threads/THREAD/messages", {"before": HUGE}, 200),
        ("GET", "/threads/THREAD/messages", {"after": HUGE}, 200),
        ("GET", "/threads/THREAD/messages", {"before": BEYOND}, 422),
        ("GET", "/threads/THREAD/messages", {"before": 0}, 422),
        ("GET", "/threads/THREAD/messages", {"limit": 0}, 422),
        ("GET", "/threads/THREAD/messages", {"limit": 201}, 422),
        ("GET", "/threads/THREAD/messages", {"before": 5, "after": 1}, 422),
        ("GET", "/threads", {"offset": HUGE}, 200),
        ("GET", "/threads", {"limit": 101}, 422),
        ("GET", "/threads", {"archived": "peut-être"}, 422),
        ("GET", "/threads/THREAD/attachments/999999999", {}, 404),
        ("GET", f"/threads/THREAD/attachments/{HUGE}", {}, 404),
        ("GET", "/messaging/recipients", {"q": "ab"}, 422),
        ("GET", "/messaging/recipients", {"q": "a" * 61}, 422),
        ("GET", "/messaging/recipients", {"q": "abc\x00"}, 422),
        ("GET", "/messaging/recipients", {"q": "'--; ..."}, 422),
        ("GET", "/messaging/recipients", {"q": "%%%_"}, 422),
        ("GET", "/messaging/recipients", {"q": "abc", "patient_id": HUGE}, 404),
        ("GET", "/messaging/recipients", {"q": "abc", "thread_id": 999_999_999}, 404),
    ],
)
def test_reading(
    pair: tuple[Person, Person, int], method: str, path: str, params: dict[str, Any], status: int
) -> None:
    anne, _, thread_id = pair
    response = anne.client.request(method, path.replace("THREAD", str(thread_id)), params=params)
    assert response.status_code == status, response.text
    if status >= 400:
        assert set(response.json()) >= {"detail", "code"}


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("messages", {"text": "x" * (MESSAGE_TEXT_MAX + 1)}, 422),
        ("messages", {"text": "a\x00b"}, 422),
        ("messages", {"text": ""}, 422),
        ("messages", {}, 422),
        ("messages", [1, 2], 422),
        ("read", {"up_to_message_id": 0}, 422),
        ("read", {"up_to_message_id": HUGE}, 204),
        ("read", {"up_to_message_id": BEYOND}, 422),
        ("read", {"up_to_message_id": "last"}, 422),
        ("participants", {"user_ids": []}, 422),
        ("participants", {"user_ids": [999_999_999]}, 422),
        ("participants", {"user_ids": [HUGE]}, 422),
    ],
)
def test_writing(pair: tuple[Person, Person, int], path: str, body: Any, status: int) -> None:
    anne, _, thread_id = pair
    response = anne.client.post(f"/threads/{thread_id}/{path}", json=body)
    assert response.status_code == status, response.text


def test_broken_bodies(pair: tuple[Person, Person, int]) -> None:
    anne, _, thread_id = pair
    url = f"/threads/{thread_id}/messages"
    broken = anne.client.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code in (400, 422), broken.text
    for not_an_object in ([1, 2], "texte", 3):
        refused = anne.client.post(url, json=not_an_object)
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "body_not_object"
    multipart = anne.client.post(
        url, content=b"--xyz\r\nnot a part", headers={"content-type": "multipart/form-data; boundary=xyz"}
    )
    assert multipart.status_code in (400, 422), multipart.text
    no_boundary = anne.client.post(url, content=b"abc", headers={"content-type": "multipart/form-data"})
    assert no_boundary.status_code in (400, 422), no_boundary.text
    empty_file = anne.client.post(url, data={"text": "x"}, files=[("files", ("vide.png", b"", "image/png"))])
    assert empty_file.status_code == 422, empty_file.text
    assert empty_file.json()["code"] == "document_empty"
    # A thread started as a form: the same rules (the participant repeated, a text).
    form = anne.client.post(
        "/threads",
        data={"participant_ids": ["x"], "text": "y"},
        files=[("files", ("a.png", b"\x89PNG\r\n\x1a\n", "image/png"))],
    )
    assert form.status_code == 422, form.text
