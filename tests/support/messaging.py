"""Test-side helpers for messaging (issue 20): people who may write, patients, threads, audit rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.support.live import PASSWORD, LiveServer, patient_body, unique, unique_name

# The smallest PNG (1×1, transparent) and a PDF header: accepted by content.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Person:
    user_id: int
    name: str
    client: httpx.Client
    username: str
    rpps: str | None = None

    def relogin(self, server: LiveServer) -> None:
        """A new session (after the test clock moved past the old one's expiry)."""
        self.client = server.client(server.login(self.username))


def professional(
    server: LiveServer, last_name: str | None = None, first_name: str = "Jean-Marc", **profile: Any
) -> Person:
    last = last_name or unique_name("Msg")
    body, client = server.professional(last_name=last, first_name=first_name, **profile)
    return Person(int(body["user_id"]), last, client, str(body["username"]), str(body["rpps"]))


def staff(server: LiveServer, role: str = "operator", name: str | None = None) -> Person:
    """An operator or supervisor with a name of their own (the search finds people by name)."""
    username = unique(role[:4])
    display = name or f"Camille {unique_name('Staff')}"
    body = {
        "username": username,
        "password": PASSWORD,
        "role": role,
        "display_name": display,
        "network_ids": [],
    }
    created = server.admin().post("/admin/users", json=body)
    assert created.status_code == 201, created.text
    return Person(int(created.json()["id"]), display, server.client(server.login(username)), username)


def patient(operator: httpx.Client, usual: Sequence[Person] = ()) -> int:
    """A patient file; `usual`: registered professionals made its usual professionals (may see it)."""
    created = operator.post("/patients", json=patient_body())
    assert created.status_code == 201, created.text
    patient_id = int(created.json()["id"])
    if usual:
        items = [{"profession_code": "60", "rpps": p.rpps} for p in usual]
        put = operator.put(f"/patients/{patient_id}/usual-professionals", json=items)
        assert put.status_code == 200, put.text
    return patient_id


def start(author: Person, *others: Person, **fields: Any) -> dict[str, Any]:
    body = {"participant_ids": [p.user_id for p in others], "text": "Bonjour", **fields}
    response = author.client.post("/threads", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def post(author: Person, thread_id: int, words: str) -> dict[str, Any]:
    response = author.client.post(f"/threads/{thread_id}/messages", json={"text": words})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def sql(server: LiveServer, statement: str, **params: Any) -> list[Any]:
    """Rows of a query on the server's own database (audit rows, deliveries, feed events)."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(statement), params))
    finally:
        engine.dispose()
