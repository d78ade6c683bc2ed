"""Scenes of the professionals' side on a live server: an accepted prescription, its care loop,
the audit trail read back, and a JSON scan for what must not leak."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.dispatch import Desk, Responder, place, prescription
from tests.support.live import LiveServer

NOT_YOURS = "Seul l'intervenant qui a accepté peut faire cela"


def open_desk(server: LiveServer) -> Iterator[Desk]:
    """A module's desk on `server`, closed after the module."""
    desk = Desk.open(server)
    try:
        yield desk
    finally:
        desk.close()


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str, detail: str | None = None) -> dict[str, Any]:
    """A refusal in French, with its machine code (never a 500)."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert detail is None or body["detail"] == detail, body
    assert isinstance(body["detail"], str), body
    assert body["detail"].strip(), body
    return body


@dataclass
class Episode:
    """A patient, one prescription sent for them, its acceptor and another notified responder."""

    desk: Desk
    patient: dict[str, Any]
    prescription_id: int
    acceptor: Responder
    other: Responder
    site: tuple[float, float]

    @property
    def base(self) -> str:
        return f"/prescriptions/{self.prescription_id}"

    def post(self, who: Responder, tail: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return who.client.post(f"{self.base}/{tail}", json=body)

    def view(self, client: httpx.Client | None = None) -> dict[str, Any]:
        return self.desk.get(self.prescription_id, client)


def episode(desk: Desk, *, accepted: bool = True, started: bool = False, **overrides: Any) -> Episode:
    lat, lon = place()
    acceptor, other = desk.responders(2, lat, lon)
    patient = desk.patient(lat, lon)
    line = desk.send(patient["id"], prescription(**overrides))["prescriptions"][0]
    found = Episode(desk, patient, int(line["id"]), acceptor, other, (lat, lon))
    if accepted:
        ok(found.post(acceptor, "accept"))
    if started:
        ok(found.post(acceptor, "start"))
    return found


def audit(desk: Desk, **params: Any) -> list[dict[str, Any]]:
    response = desk.admin.get("/admin/audit", params={"limit": 1000, **params})
    entries: list[dict[str, Any]] = ok(response)
    return entries


def refusals(desk: Desk, user_id: int, patient_id: int) -> list[dict[str, Any]]:
    """The `forbidden` entries of one user about one patient."""
    return audit(desk, user_id=user_id, patient_id=patient_id, action="forbidden")


def numbers(value: Any) -> Iterator[float]:
    """Every number of a JSON document."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from numbers(item)


def care_events(desk: Desk) -> list[dict[str, Any]]:
    """Drives the care loop once (a visit that starts the care, a report, the end of the series);
    returns the feed's events (JSON) since the scene's start."""
    after = desk.feed_seq()
    scene = episode(desk, days=2, visits_per_day=1)
    ok(scene.post(scene.acceptor, "visits", {"note": "Premier passage"}), 201)
    ok(scene.post(scene.acceptor, "reports", {"text": "Plaie propre"}), 201)
    ok(scene.post(scene.acceptor, "end-series"))
    events: list[dict[str, Any]] = []
    while page := ok(desk.operator.get("/changes", params={"after": after, "limit": 1000}))["events"]:
        events += page
        after = int(page[-1]["seq"])
    return events
