"""Offers pushed to responders' webhooks: queued with the offer, retried with back-off, anonymous."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import start_live
from tests.support.http_receiver import Receiver, receiving
from tests.support.live import LiveServer, patient_body


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clock_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Without the background scheduler: deliveries happen only when the test clock moves."""
    directory = tmp_path_factory.mktemp(f"webhooks-{request.param}")
    yield from start_live(request.param, directory, CENTRALE_SCHEDULER_INTERVAL="0")


_places = itertools.count()


def _wait_for(receiver: Receiver, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with receiver.lock:
            if len(receiver.received) >= count:
                return list(receiver.received)
        time.sleep(0.05)
    with receiver.lock:
        return list(receiver.received)


def _send_case(server: LiveServer, receiver_url: str) -> tuple[int, int]:
    # Each call its own place, 40 km from the others (radius 10 km): no test notifies another's responder.
    lat, lon = 44.5, -1.2 + 0.5 * next(_places)
    profile, _ = server.professional(
        latitude=lat, longitude=lon, profession_code="92", webhook_url=receiver_url
    )
    _, operator = server.user("operator")
    patient = operator.post("/patients", json=patient_body(latitude=lat, longitude=lon)).json()
    body = {
        "caller": {"name": "Dr Appelant"},
        "requester": {"rpps": profile["rpps"]},
        "patient_id": patient["id"],
        "prescriptions": [
            {
                "profession_code": "92",
                "care_type": "Bilan orthoptique",
                "care_mode": "office",
                "intervention_delay_minutes": 60,
                "response_delay_minutes": 30,
                "comment": "Bilan",
            }
        ],
    }
    sent = operator.post("/cases", json=body)
    assert sent.status_code == 201, sent.text
    assert sent.json()["prescriptions"][0]["notified_count"] == 1
    return sent.json()["prescriptions"][0]["id"], patient["id"]


def test_an_offer_reaches_the_webhook_without_the_patients_identity(clock_server: LiveServer) -> None:
    with receiving() as receiver:
        prescription_id, _ = _send_case(clock_server, receiver.url)
        assert _wait_for(receiver, 1, timeout=1.5) == []  # nothing is sent inside the request
        clock_server.advance(1)  # the scheduler's next tick
        received = _wait_for(receiver, 1)
    assert len(received) == 1
    payload = received[0]
    assert payload == {
        "type": "offer",
        "prescription_id": prescription_id,
        "round": 1,
        "profession_code": "92",
        "care_type": "Bilan orthoptique",
        "care_mode": "office",
        "deadline_at": payload["deadline_at"],
    }


def test_a_failing_webhook_is_retried_with_back_off(clock_server: LiveServer) -> None:
    with receiving() as receiver:
        receiver.failures_left = 2
        prescription_id, _ = _send_case(clock_server, receiver.url)
        clock_server.advance(1)  # first attempt (fails)
        assert _wait_for(receiver, 1, timeout=1.5) == []
        clock_server.advance(11)  # second attempt after 10 s (fails); the next waits 20 s
        clock_server.advance(5)  # too early: an attempt now would succeed and be seen
        assert _wait_for(receiver, 1, timeout=1.5) == []
        clock_server.advance(16)  # third attempt, 20 s after the second (succeeds)
        received = _wait_for(receiver, 1)
    assert [p["prescription_id"] for p in received] == [prescription_id]


def test_webhook_url_must_be_http(clock_server: LiveServer) -> None:
    from tests.support.live import professional_body

    response = clock_server.admin().post(
        "/admin/professionals", json=professional_body(webhook_url="ftp://x")
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Webhook : Adresse de webhook invalide (http:// ou https://)"
