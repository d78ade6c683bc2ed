"""A scenario on a live server (test clock on) whose change feed holds every event type."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tests.support.dispatch import Desk, north, parse_time, place
from tests.support.live import unique_phone

PDF = b"%PDF-1.4\n%%EOF\n"


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json() if response.content else {}
    return result


def _missed_call() -> dict[str, Any]:
    start = parse_time("2026-11-27T09:00:00+00:00")
    return {
        "version": 1,
        "id": str(uuid.uuid4()),
        "direction": "incoming",
        "remote_number": unique_phone(),
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(seconds=20)).isoformat(),
        "outcome": "missed",
        "duration_seconds": 0,
    }


def every_event(desk: Desk) -> list[dict[str, Any]]:
    """Drives one of each change through the API; returns the feed's events (JSON) since its start."""
    start = desk.feed_seq()
    lat, lon = place()
    usual = desk.responder(*north(lat, lon, 30))
    declining, accepting = desk.responders(2, *north(lat, lon, 1))
    operator = desk.operator
    patient = desk.patient(lat, lon)
    pid = patient["id"]
    _ok(operator.patch(f"/patients/{pid}", json={"version": patient["version"], "floor": "RDC"}))
    desk.usual(pid, usual)

    first = desk.send_one(pid, response_delay_minutes=40)["id"]  # the usual professional alone
    desk.advance(21 * 60)  # past half the delay: the pool joins
    _ok(declining.client.post(f"/prescriptions/{first}/decline"))
    _ok(accepting.client.post(f"/prescriptions/{first}/accept"))
    _ok(accepting.client.post(f"/prescriptions/{first}/start"))
    _ok(accepting.client.post(f"/prescriptions/{first}/finish", json={"report": "Pansement fait"}))

    second = desk.send_one(pid, response_delay_minutes=30)["id"]
    base = f"/prescriptions/{second}"
    _ok(operator.post(f"{base}/comments", json={"text": "Sonner deux fois", "tag": "accès"}), 201)
    _ok(operator.post(f"{base}/documents", files={"file": ("ordonnance.pdf", PDF, "application/pdf")}), 201)
    _ok(operator.post(f"{base}/cancel", json={"reason": "Patient hospitalisé"}))
    _ok(operator.post(f"{base}/renew", json={"response_delay_minutes": 30, "comment": "Sorti"}))
    desk.advance(31 * 60)  # nobody accepts the renewed round
    _ok(operator.post("/incidents", json={"text": "Intervenant injoignable", "prescription_id": second}), 201)

    call = _missed_call()
    _ok(operator.post("/calls", json=call), 201)
    _, supervisor = desk.staff("supervisor")
    _ok(supervisor.post(f"/calls/{call['id']}/callback", json={"note": "Rappelé"}))

    # The hotline's distribution (issue 19): a state, a caller queued then lost (a missed call).
    _ok(operator.put("/agents/me/state", json={"state": "pause", "pause_reason": "repas"}))
    telephony = desk.server.telephony()
    hotline_call = f"{uuid.uuid4()}@sipp"
    for kind in ("queued", "lost"):
        _ok(telephony.post("/telephony/events", json={"call_id": hotline_call, "kind": kind}), 204)
    _ok(operator.put("/agents/me/state", json={"state": "offline"}))

    # Messaging (issue 20): a thread and a reply, a read mark, someone added who then leaves.
    thread = _ok(operator.post("/threads", json={"participant_ids": [accepting.id], "text": "Bonjour"}), 201)
    messages = f"/threads/{thread['id']}"
    reply = _ok(accepting.client.post(f"{messages}/messages", json={"text": "Bien reçu"}), 201)
    _ok(operator.post(f"{messages}/read", json={"up_to_message_id": reply["id"]}), 204)
    _ok(operator.post(f"{messages}/participants", json={"user_ids": [declining.id]}))
    _ok(declining.client.post(f"{messages}/leave"))

    events: list[dict[str, Any]] = []
    after = start
    while page := _ok(operator.get("/changes", params={"after": after, "limit": 1000}))["events"]:
        events += page
        after = int(page[-1]["seq"])
    return events
