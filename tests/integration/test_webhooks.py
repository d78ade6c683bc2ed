"""Offers pushed to responders' webhooks: queued with the offer, retried with back-off, anonymous."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from server.notify.webhook_signing import verify
from tests.integration.conftest import start_live
from tests.support.http_receiver import Receiver, receiving
from tests.support.live import LiveServer, patient_body
from tests.support.tls_certificates import TlsFiles, make_tls_files


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("webhook-tls"))


# The loopback receivers need both loosening settings (server/notify/webhook_policy.py); the
# receiver's certificate authority is trusted through CENTRALE_WEBHOOKS_CA_FILE.
LOOSE = {"CENTRALE_WEBHOOKS_ALLOW_HTTP": "1", "CENTRALE_WEBHOOKS_ALLOW_PRIVATE": "1"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clock_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tls: TlsFiles
) -> Iterator[LiveServer]:
    """Without the background scheduler: deliveries happen only when the test clock moves."""
    directory = tmp_path_factory.mktemp(f"webhooks-{request.param}")
    yield from start_live(
        request.param,
        directory,
        CENTRALE_SCHEDULER_INTERVAL="0",
        CENTRALE_WEBHOOKS_CA_FILE=str(tls.ca_file),
        **LOOSE,
    )


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
    prescription_id, patient_id, _ = _send_case_to_new_professional(server, receiver_url)
    return prescription_id, patient_id


def _send_case_to_new_professional(server: LiveServer, receiver_url: str) -> tuple[int, int, dict[str, Any]]:
    """A case offered to a new professional whose webhook is `receiver_url`; with the professional
    as their creation answered (the webhook's signing key included, shown that once)."""
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
    return sent.json()["prescriptions"][0]["id"], patient["id"], profile


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


def test_an_https_delivery_is_signed_with_the_key_shown_once(clock_server: LiveServer, tls: TlsFiles) -> None:
    admin = clock_server.admin()
    with receiving(tls, host_name="localhost") as receiver:
        prescription_id, _, profile = _send_case_to_new_professional(clock_server, receiver.url)
        secret = profile["webhook_secret"]
        assert len(secret) == 64
        # Shown once: neither the professional's page nor the list repeats it.
        assert "webhook_secret" not in admin.get(f"/admin/professionals/{profile['user_id']}").json()
        before = clock_server.advance(1)
        assert len(_wait_for(receiver, 1)) == 1
        request = receiver.requests[0]
    assert json.loads(request.body)["prescription_id"] == prescription_id
    signature = request.headers["centrale-signature"]
    assert verify(secret, signature, request.body)
    assert not verify(secret, signature, request.body + b" ")  # the exact bytes are signed
    assert not verify("0" * 64, signature, request.body)
    stamp = int(signature.split(",")[0].removeprefix("t="))
    clock = datetime.fromisoformat(before["now"]).timestamp()
    assert abs(stamp - clock) <= 2  # the server's clock (here the test clock), in Unix seconds
    assert request.headers["centrale-delivery"].isdigit()
    assert request.headers["content-type"] == "application/json"


def test_a_rotated_key_signs_the_next_deliveries(clock_server: LiveServer, tls: TlsFiles) -> None:
    admin = clock_server.admin()
    with receiving(tls, host_name="localhost") as receiver:
        _, _, profile = _send_case_to_new_professional(clock_server, receiver.url)
        rotated = admin.post(f"/admin/professionals/{profile['user_id']}/webhook-secret")
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["webhook_secret"]
        assert new_secret != profile["webhook_secret"]
        clock_server.advance(1)
        assert len(_wait_for(receiver, 1)) == 1
        request = receiver.requests[0]
    assert verify(new_secret, request.headers["centrale-signature"], request.body)
    assert not verify(profile["webhook_secret"], request.headers["centrale-signature"], request.body)
    audit = admin.get("/admin/audit", params={"action": "admin_professional_webhook_secret"}).json()
    assert any(e["detail"].get("target_user_id") == profile["user_id"] for e in audit)
    # Without a webhook there is no key to rotate.
    plain, _ = clock_server.professional()
    refused = admin.post(f"/admin/professionals/{plain['user_id']}/webhook-secret")
    assert (refused.status_code, refused.json()["code"]) == (409, "webhook_missing")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def strict_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The production rules: HTTPS to public addresses only."""
    directory = tmp_path_factory.mktemp(f"webhooks-strict-{request.param}")
    yield from start_live(request.param, directory, CENTRALE_SCHEDULER_INTERVAL="0")


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://example.org/hook", "webhook_https_required"),
        ("https://localhost:8443/hook", "webhook_address_private"),
        ("https://127.0.0.1/hook", "webhook_address_private"),
        ("https://10.1.2.3/hook", "webhook_address_private"),
        ("https://192.168.1.10/hook", "webhook_address_private"),
        ("https://169.254.169.254/latest", "webhook_address_private"),
        ("https://[::1]/hook", "webhook_address_private"),
        ("https://[::ffff:127.0.0.1]/hook", "webhook_address_private"),
        ("https://224.0.0.1/hook", "webhook_address_private"),
        ("https://240.0.0.1/hook", "webhook_address_private"),
        ("https://0.0.0.0/hook", "webhook_address_private"),
    ],
)
def test_a_webhook_to_the_inside_or_in_clear_is_refused_at_registration(
    strict_server: LiveServer, url: str, code: str
) -> None:
    from tests.support.live import professional_body

    admin = strict_server.admin()
    body = professional_body(webhook_url=url)
    refused = admin.post("/admin/professionals", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code
    assert "adresse interne" in refused.json()["detail"] or "https://" in refused.json()["detail"]
    # Nothing was created: the same account goes through once the URL is acceptable.
    accepted = admin.post("/admin/professionals", json={**body, "webhook_url": "https://93.184.215.14/hook"})
    assert accepted.status_code == 201, accepted.text
    patched = admin.patch(f"/admin/professionals/{accepted.json()['user_id']}", json={"webhook_url": url})
    assert (patched.status_code, patched.json()["code"]) == (422, code)
    kept = admin.get(f"/admin/professionals/{accepted.json()['user_id']}").json()
    assert kept["webhook_url"] == "https://93.184.215.14/hook"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_name_resolving_to_loopback_is_refused_at_send_time(
    tmp_path: Path, tls: TlsFiles, kind: str
) -> None:
    """Registered while the deployment allowed inside addresses, then sent after it stopped: the
    send resolves `localhost`, finds 127.0.0.1 and refuses without connecting."""
    live_servers = start_live(
        kind,
        tmp_path,
        CENTRALE_SCHEDULER_INTERVAL="0",
        CENTRALE_WEBHOOKS_CA_FILE=str(tls.ca_file),
        CENTRALE_WEBHOOKS_ALLOW_PRIVATE="1",
    )
    server = next(live_servers)
    try:
        with receiving(tls, host_name="localhost") as receiver:
            _send_case(server, receiver.url)
            server.process.stop()
            del server.process.env["CENTRALE_WEBHOOKS_ALLOW_PRIVATE"]
            server.process.start()
            server.advance(1)
            assert _wait_for(receiver, 1, timeout=1.5) == []
        errors = _delivery_errors(server.database_url)
        assert len(errors) == 1, errors
        assert "adresse interne (127.0.0.1)" in errors[0], errors
    finally:
        next(live_servers, None)


def _delivery_errors(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT last_error FROM webhook_deliveries")).scalars()
            return [str(row) for row in rows]
    finally:
        engine.dispose()
