"""Offers reach professionals on Web Push and SMS through a real server process: the push POST is
the real encrypted one (decrypted by the stand-in with the browser's keys, VAPID checked), the
SMS goes to a stand-in of Brevo's API that fails on demand; retries, no duplicates, the log."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.conftest import start_live
from tests.support.live import LiveServer, patient_body
from tests.support.push_service import PushService, push_service
from tests.support.sms_provider import API_KEY, SmsProvider, sms_provider


@dataclass
class Channels:
    server: LiveServer
    push: PushService
    sms: SmsProvider


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def channels(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channels]:
    """Without the background scheduler: retries happen when the test clock moves; first
    attempts happen at once (the notification worker is woken by the commit itself)."""
    with push_service() as push, sms_provider() as sms:
        env = {
            "CENTRALE_SCHEDULER_INTERVAL": "0",
            "CENTRALE_SMS_PROVIDER": "brevo",
            "CENTRALE_SMS_API_URL": sms.url,
            "CENTRALE_SMS_API_KEY": API_KEY,
        }
        directory = tmp_path_factory.mktemp(f"notify-{request.param}")
        for server in start_live(request.param, directory, **env):
            push.expected_public_key = server.admin().get("/push/public-key").json()["public_key"]
            yield Channels(server, push, sms)


_places = itertools.count()


def _place() -> tuple[float, float]:
    # Each test its own place, 40 km from the others (radius 10 km): no test notifies another's.
    return 45.2, -0.9 + 0.5 * next(_places)


def _send_case(server: LiveServer, lat: float, lon: float, rpps: str) -> tuple[int, dict[str, Any]]:
    _, operator = server.user("operator")
    body = patient_body(latitude=lat, longitude=lon)
    created = operator.post("/patients", json=body)
    assert created.status_code == 201, created.text
    case = {
        "caller": {"name": "Dr Appelant"},
        "requester": {"rpps": rpps},
        "patient_id": created.json()["id"],
        "prescriptions": [
            {
                "profession_code": "91",
                "care_type": "Bilan orthophonique",
                "care_mode": "office",
                "intervention_delay_minutes": 120,
                "response_delay_minutes": 30,
                "comment": "Bilan",
            }
        ],
    }
    sent = operator.post("/cases", json=case)
    assert sent.status_code == 201, sent.text
    return sent.json()["prescriptions"][0]["id"], body


def _professional(
    server: LiveServer, lat: float, lon: float, **overrides: Any
) -> tuple[dict[str, Any], httpx.Client]:
    return server.professional(latitude=lat, longitude=lon, profession_code="91", **overrides)


def _log(server: LiveServer, **filters: Any) -> list[dict[str, Any]]:
    response = server.admin().get("/admin/deliveries", params=filters)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_an_offer_is_pushed_encrypted_and_anonymous(channels: Channels) -> None:
    lat, lon = _place()
    profile, pro = _professional(channels.server, lat, lon)
    subscription = channels.push.subscribe()
    created = pro.post("/me/push-subscriptions", json=subscription)
    assert created.status_code == 201, created.text
    started = time.time()
    prescription_id, patient = _send_case(channels.server, lat, lon, profile["rpps"])
    received = channels.push.for_token(subscription["endpoint"])
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.02)
        received = channels.push.for_token(subscription["endpoint"])
    assert channels.push.rejected == []
    assert len(received) == 1
    payload = received[0].payload
    assert payload["title"] == "Nouvelle demande de prise en charge"
    assert "Orthophoniste, Bilan orthophonique à Évry-Courcouronnes" in payload["body"]
    assert patient["last_name"].upper() not in payload["body"].upper()  # a pool professional: no name
    assert "12 rue des Lilas" not in payload["body"]
    assert payload["url"].endswith(f"/pro/demandes/{prescription_id}")
    assert received[0].headers["Urgency"] == "high"
    assert received[0].at - started < 5
    rows = _log(channels.server, user_id=profile["user_id"], channel="push")
    assert [(r["purpose"], r["status"], r["attempts"]) for r in rows] == [("offer", "sent", 1)]
    assert patient["last_name"].upper() not in rows[0]["text"].upper()


def test_a_failing_sms_provider_is_retried_with_back_off_and_sent_once(channels: Channels) -> None:
    lat, lon = _place()
    profile, pro = _professional(channels.server, lat, lon, phone="06 12 34 56 78")
    assert pro.put("/me/profile", json={"channels": {"push": False, "sms": True}}).status_code == 200
    channels.sms.failures_left = 2
    _send_case(channels.server, lat, lon, profile["rpps"])
    deadline = time.monotonic() + 10
    while channels.sms.failed < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert channels.sms.failed == 1  # the first attempt, right after the commit
    channels.server.advance(11)  # second attempt, 10 s later (fails); the next waits 20 s
    channels.server.advance(5)  # too early
    assert channels.sms.to("+33612345678") == []
    channels.server.advance(16)  # third attempt (succeeds)
    assert len(channels.sms.wait_for(1)) >= 1
    channels.server.advance(600)  # nothing is sent twice
    time.sleep(0.3)
    sent = channels.sms.to("+33612345678")
    assert len(sent) == 1
    assert sent[0]["type"] == "transactional"
    assert sent[0]["content"].startswith("Nouvelle demande : Orthophoniste")
    rows = _log(channels.server, user_id=profile["user_id"], channel="sms")
    assert [(r["status"], r["attempts"], r["provider_message_id"] is not None) for r in rows] == [
        ("sent", 3, True)
    ]


def test_a_gone_subscription_is_marked_and_the_log_says_why(channels: Channels) -> None:
    lat, lon = _place()
    profile, pro = _professional(channels.server, lat, lon)
    subscription = channels.push.subscribe()
    assert pro.post("/me/push-subscriptions", json=subscription).status_code == 201
    channels.push.gone.add(subscription["endpoint"].rsplit("/", 1)[-1])
    _send_case(channels.server, lat, lon, profile["rpps"])
    deadline = time.monotonic() + 10
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = _log(channels.server, user_id=profile["user_id"], channel="push")
        if rows and rows[0]["status"] != "queued":
            break
        time.sleep(0.05)
    assert rows[0]["status"] == "abandoned"
    assert rows[0]["reason"] == "abonnement push expiré (le navigateur s'est désabonné)"
    assert pro.get("/me/push-subscriptions").json() == []
    _send_case(channels.server, lat, lon, profile["rpps"])  # the next offer: no device left, said so
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = _log(channels.server, user_id=profile["user_id"], status="suppressed")
        if rows:
            break
        time.sleep(0.05)
    assert [(r["channel"], r["reason"]) for r in rows] == [
        ("push", "aucun appareil abonné aux notifications")
    ]


def test_subscriptions_are_checked_and_the_log_is_for_admins(channels: Channels) -> None:
    lat, lon = _place()
    _, pro = _professional(channels.server, lat, lon)
    bad = channels.push.subscribe()
    bad["endpoint"] = "ftp://push.example/x"
    refused = pro.post("/me/push-subscriptions", json=bad)
    assert refused.status_code == 422
    keys = channels.push.subscribe()
    keys["keys"]["auth"] = "AAAA"
    assert pro.post("/me/push-subscriptions", json=keys).status_code == 422
    assert pro.get("/admin/deliveries").status_code == 403
    assert pro.delete("/me/push-subscriptions/999999").status_code == 404
    _, operator = channels.server.user("operator")
    assert operator.get("/admin/deliveries").status_code == 403
    page = channels.server.admin().get("/admin/deliveries", params={"limit": 1})
    assert page.status_code == 200
    assert len(page.json()["items"]) <= 1
