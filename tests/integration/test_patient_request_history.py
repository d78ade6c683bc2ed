"""The patient's « Horodatage » lists each request's steps (issue 18): its sending, its acceptance
(who, by phone through the hotline), its cancellation (who, why), its renewal (« 2e Déclenchement »)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.dispatch import Desk, place
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_the_timeline_shows_acceptances_cancellations_and_renewals(desk: Desk) -> None:
    lat, lon = place()
    (responder,) = desk.responders(1, lat, lon)
    patient = desk.patient(lat, lon)
    pid = patient["id"]
    accepted = desk.send_one(pid)["id"]
    cancelled = desk.send_one(pid)["id"]
    renewed = desk.send_one(pid)["id"]
    phoned = {"on_behalf_of": responder.id, "channel": "phone"}
    _ok(desk.operator.post(f"/prescriptions/{accepted}/accept", json=phoned))
    _ok(desk.operator.post(f"/prescriptions/{cancelled}/cancel", json={"reason": "Patient hospitalisé"}))
    _ok(desk.operator.post(f"/prescriptions/{renewed}/cancel", json={"reason": "Mauvaise date"}))
    _ok(desk.operator.post(f"/prescriptions/{renewed}/renew", json={"response_delay_minutes": 60}))
    numbers = {p: f"#{desk.get(p)['case_number']}" for p in (accepted, cancelled, renewed)}

    timeline = _ok(desk.operator.get(f"/patients/{pid}/timeline"))
    steps = [(e["kind"], e["data"].get("prescription_id"), e["data"].get("round")) for e in timeline]
    request_steps = [s for s in steps if s[0].startswith("request_")]
    assert request_steps == [
        ("request_renewed", renewed, 2),
        ("request_cancelled", renewed, 1),
        ("request_cancelled", cancelled, 1),
        ("request_accepted", accepted, 1),
        ("request_sent", renewed, 1),
        ("request_sent", cancelled, 1),
        ("request_sent", accepted, 1),
    ]
    by_kind = {(e["kind"], e["data"].get("prescription_id")): e for e in timeline}
    acceptance = by_kind[("request_accepted", accepted)]
    assert acceptance["by"] == responder.name
    assert acceptance["label"].startswith(f"Acceptation par {responder.name} ({numbers[accepted]} — ")
    assert "par téléphone via la centrale (" in acceptance["label"]
    cancellation = by_kind[("request_cancelled", cancelled)]
    assert cancellation["by"] is not None
    who = cancellation["by"]
    assert cancellation["label"].startswith(f"1er Déclenchement annulé par {who} ({numbers[cancelled]}")
    assert cancellation["label"].endswith(" — Motif : Patient hospitalisé")
    renewal = by_kind[("request_renewed", renewed)]
    assert renewal["label"].startswith(f"2e Déclenchement {numbers[renewed]} — ")
    sending = by_kind[("request_sent", accepted)]["label"]
    assert sending.startswith(f"1er Déclenchement {numbers[accepted]} — ")
    # The case lines stay, and the whole list is newest first.
    assert sum(1 for e in timeline if e["kind"] == "case") == 3
    times = [e["at"] for e in timeline]
    assert times == sorted(times, reverse=True)

    # The read is audited as before.
    trail = desk.server.admin().get("/admin/audit", params={"patient_id": pid}).json()
    assert [e["action"] for e in trail].count("patient_timeline") == 1
