"""A message or a thread sent again after an unanswered try is written once (`Idempotency-Key`),
on a real server, SQLite and PostgreSQL — the desktop's retry and a double click on the web form
both rely on it (docs/messaging.md)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.support.live import LiveServer
from tests.support.messaging import Person, professional, sql, start


@pytest.fixture(scope="module")
def pair(server: LiveServer) -> tuple[Person, Person]:
    return professional(server), professional(server)


def _post(person: Person, thread_id: int, text: str, key: str) -> httpx.Response:
    return person.client.post(
        f"/threads/{thread_id}/messages", json={"text": text}, headers={"Idempotency-Key": key}
    )


def _count(server: LiveServer, thread_id: int) -> int:
    rows = sql(server, "SELECT count(*) FROM messages WHERE thread_id = :t", t=thread_id)
    return int(rows[0][0])


def test_a_message_sent_twice_with_one_key_is_written_once(
    server: LiveServer, pair: tuple[Person, Person]
) -> None:
    anne, bruno = pair
    thread = start(anne, bruno, text="Bonjour")
    key = uuid4().hex
    first = _post(anne, thread["id"], "Je passe à 18 h", key)
    again = _post(anne, thread["id"], "Je passe à 18 h", key)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json() == first.json()
    assert _count(server, thread["id"]) == 2  # the first message and this one, once
    # the same words with another key are another message
    other = _post(anne, thread["id"], "Je passe à 18 h", uuid4().hex)
    assert other.status_code == 201
    assert other.json()["id"] > first.json()["id"]
    # one key, other words: the client's mistake is refused, nothing written
    reused = _post(anne, thread["id"], "Je passe à 19 h", key)
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    # another author's key is theirs alone
    bruno_same_key = _post(bruno, thread["id"], "Je passe à 18 h", key)
    assert bruno_same_key.status_code == 201
    assert bruno_same_key.json()["id"] != first.json()["id"]
    assert _count(server, thread["id"]) == 4


def test_a_thread_started_twice_with_one_key_is_one_thread(
    server: LiveServer, pair: tuple[Person, Person]
) -> None:
    anne, bruno = pair
    key = uuid4().hex
    body: dict[str, Any] = {"participant_ids": [bruno.user_id], "subject": "Visite", "text": "Bonjour"}
    first = anne.client.post("/threads", json=body, headers={"Idempotency-Key": key})
    again = anne.client.post("/threads", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json()["id"] == first.json()["id"]
    made = sql(
        server, "SELECT count(*) FROM threads WHERE created_by = :u AND subject = 'Visite'", u=anne.user_id
    )
    assert made[0][0] == 1
    # a key that posted in a thread cannot start another one
    posted_key = uuid4().hex
    assert _post(anne, first.json()["id"], "Suite", posted_key).status_code == 201
    refused = anne.client.post(
        "/threads", json={**body, "text": "Suite"}, headers={"Idempotency-Key": posted_key}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("key", ["", "k" * 101])
def test_a_blank_or_oversized_key_is_refused(pair: tuple[Person, Person], key: str) -> None:
    anne, bruno = pair
    thread = start(anne, bruno)
    response = _post(anne, thread["id"], "Bonjour", key)
    assert response.status_code == 422, response.text


def test_concurrent_tries_with_one_key_write_once(server: LiveServer, pair: tuple[Person, Person]) -> None:
    anne, bruno = pair
    thread = start(anne, bruno)
    key = uuid4().hex
    clients = [server.client(server.login(anne.username)) for _ in range(4)]
    try:

        def send(client: httpx.Client) -> httpx.Response:
            return client.post(
                f"/threads/{thread['id']}/messages",
                json={"text": "Ensemble"},
                headers={"Idempotency-Key": key},
            )

        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(send, clients))
    finally:
        for client in clients:
            client.close()
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert _count(server, thread["id"]) == 2
