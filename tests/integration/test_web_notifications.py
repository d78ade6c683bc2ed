"""The web app's side of the notification channels over HTTP, against real servers (SQLite and
PostgreSQL): the channels form of « Profil Activité », this device's Web Push subscription posted
by the page's script (CSRF, bad JSON → a clear French 4xx, never a 500), the devices list's plain
« Retirer » form, and « Messages envoyés » — shown in the demo only, 404 elsewhere."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server.web.pages.channels import per_event
from tests.integration.conftest import start_live
from tests.support.live import LiveServer
from tests.support.push_service import PushService
from tests.support.web_pages import Scene, csrf_of, web_login

SUBSCRIBE = "/pro/notifications/abonnement"
UNSUBSCRIBE = "/pro/notifications/desabonnement"


def audit(server: LiveServer, action: str) -> list[dict[str, Any]]:
    response = server.admin().get("/admin/audit", params={"action": action})
    assert response.status_code == 200, response.text
    body = response.json()
    items: list[dict[str, Any]] = body["items"] if isinstance(body, dict) else body
    return items


def nurse(server: LiveServer, **overrides: Any) -> tuple[dict[str, Any], httpx.Client, httpx.Client]:
    """A professional: their profile, their API client and a web client logged in through the pages."""
    profile, api = server.professional(**overrides)
    return profile, api, web_login(server.process.base_url, str(profile["username"]))


def token_of(web: httpx.Client) -> str:
    page = web.get("/pro/profil")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def browser_subscription() -> dict[str, Any]:
    """What `PushSubscription.toJSON()` gives a page (real P-256 keys; nothing is pushed here)."""
    return PushService(url="http://127.0.0.1:9").subscribe()


def test_the_profile_page_shows_the_channels_quiet_hours_and_this_devices_section(server: LiveServer) -> None:
    _, api, web = nurse(server)
    page = web.get("/pro/profil")
    assert page.status_code == 200
    assert "Canaux de notification" in page.text
    assert "seul l'e-mail part encore" in page.text  # quiet hours, as server/notify/preferences.py rules
    assert "Activer les notifications sur cet appareil" in page.text
    assert "demandent JavaScript" in page.text  # said without JavaScript (noscript)
    key = api.get("/push/public-key").json()["public_key"]
    assert f'data-public-key="{key}"' in page.text  # the same VAPID key as the API's
    assert "<script>" not in page.text  # strict CSP: no inline script


def test_channels_are_saved_by_the_plain_form_through_the_profile_service(server: LiveServer) -> None:
    _, api, web = nurse(server)
    token = token_of(web)
    if per_event():
        form = {"csrf": token, "canal_offer_sms": "1", "canal_offer_push": "1", "canal_message_email": "1"}
    else:
        form = {"csrf": token, "canal_sms": "1", "canal_email": "1"}
    saved = web.post("/pro/profil/canaux", data=form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/pro/profil?ok=profile"
    channels = api.get("/me/profile").json()["channels"]
    if per_event():
        assert (channels["push"], channels["sms"], channels["email"]) == (True, True, True)
        assert channels["events"]["offer"] == ["push", "sms"]
        assert channels["events"]["message"] == ["email"]
        assert channels["events"]["offer_taken"] == []
    else:
        assert channels == {"push": False, "sms": True, "email": True}
    page = web.get("/pro/profil").text
    assert 'name="canal_sms" value="1" checked' in page or 'name="canal_offer_sms" value="1" checked' in page
    assert any(e["detail"].get("fields") == ["channels"] for e in audit(server, "profile_update"))


def test_posts_without_the_csrf_token_or_from_elsewhere_are_refused_and_audited(server: LiveServer) -> None:
    profile, api, web = nurse(server)
    token = token_of(web)
    before = len(audit(server, "csrf_refused"))
    assert web.post(SUBSCRIBE, json=browser_subscription()).status_code == 403
    forged = web.post(SUBSCRIBE, json=browser_subscription(), headers={"X-CSRF-Token": "x" * 43})
    assert forged.status_code == 403
    elsewhere = web.post(
        SUBSCRIBE,
        json=browser_subscription(),
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403
    assert web.post("/pro/profil/canaux", data={"canal_sms": "1"}).status_code == 403
    assert web.post(UNSUBSCRIBE, json={"endpoint": "https://x.example/1"}).status_code == 403
    refusals = audit(server, "csrf_refused")
    assert len(refusals) >= before + 5
    assert {e["detail"]["reason"] for e in refusals[: len(refusals) - before]} >= {"token", "origin"}
    assert api.get("/me/push-subscriptions").json() == []  # nothing kept
    assert api.get("/me/profile").json()["channels"]["sms"] is False
    assert profile["user_id"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "said"),
    [
        (b"pas du json", "application/json", 400, "Abonnement illisible"),
        (b'["https://push.example/1"]', "application/json", 400, "Abonnement illisible"),
        (
            b"endpoint=https://push.example/1",
            "application/x-www-form-urlencoded",
            400,
            "Abonnement illisible",
        ),
        (b"{" + b'"a": "' + b"x" * 5000 + b'"}', "application/json", 400, "Abonnement illisible"),
        (b'{"endpoint": "https://push.example/1"}', "application/json", 422, "champ obligatoire"),
        (b'{"endpoint": "http://evil.example/1", "keys": KEYS}', "application/json", 422, "https:// attendu"),
        (
            b'{"endpoint": "https://push.example/1", "keys": {"p256dh": "AAAA", "auth": "AAAA"}}',
            "application/json",
            422,
            "clé p256dh invalide",
        ),
        (
            b'{"endpoint": "https://push.example/1", "keys": KEYS, "extra": 1}',
            "application/json",
            422,
            "champ inconnu",
        ),
        (b'{"endpoint": 12, "keys": KEYS}', "application/json", 422, "texte attendu"),
    ],
)
def test_a_bad_subscription_gets_a_clear_french_4xx_and_keeps_nothing(
    server: LiveServer, body: bytes, content_type: str, status: int, said: str
) -> None:
    _, api, web = nurse(server)
    token = token_of(web)
    keys = browser_subscription()["keys"]
    sent = body.replace(b"KEYS", f'{{"p256dh": "{keys["p256dh"]}", "auth": "{keys["auth"]}"}}'.encode())
    answer = web.post(SUBSCRIBE, content=sent, headers={"Content-Type": content_type, "X-CSRF-Token": token})
    assert answer.status_code == status, answer.text
    assert said in answer.json()["detail"]
    assert api.get("/me/push-subscriptions").json() == []


def test_this_device_subscribes_moves_to_whoever_is_logged_in_and_is_removed(server: LiveServer) -> None:
    _, first_api, first_web = nurse(server)
    subscription = browser_subscription()
    created = first_web.post(SUBSCRIBE, json=subscription, headers={"X-CSRF-Token": token_of(first_web)})
    assert created.status_code == 201, created.text
    assert created.json()["message"] == "Notifications activées sur cet appareil."
    [device] = first_api.get("/me/push-subscriptions").json()
    assert device["id"] == created.json()["id"]
    assert any(e["detail"].get("subscription_id") == device["id"] for e in audit(server, "push_subscribe"))
    page = first_web.get("/pro/profil").text
    assert "Navigateur (127.0.0.1), abonné le" in page
    assert f"/pro/notifications/appareils/{device['id']}/retirer" in page

    # Another professional logs in on the same browser: the page posts it again, it is theirs now.
    _, second_api, second_web = nurse(server)
    again = second_web.post(SUBSCRIBE, json=subscription, headers={"X-CSRF-Token": token_of(second_web)})
    assert again.status_code == 201
    assert first_api.get("/me/push-subscriptions").json() == []
    assert [d["id"] for d in second_api.get("/me/push-subscriptions").json()] == [device["id"]]

    # Nobody removes another's device (404, a French page); the owner does, with the plain form.
    token = token_of(first_web)
    stolen = first_web.post(f"/pro/notifications/appareils/{device['id']}/retirer", data={"csrf": token})
    assert stolen.status_code == 404
    assert "introuvable" in stolen.text
    token = token_of(second_web)
    removed = second_web.post(f"/pro/notifications/appareils/{device['id']}/retirer", data={"csrf": token})
    assert removed.status_code == 303
    assert second_api.get("/me/push-subscriptions").json() == []
    assert "Aucun appareil abonné." in second_web.get("/pro/profil").text


def test_the_browser_unsubscribing_is_forgotten_by_the_server(server: LiveServer) -> None:
    _, api, web = nurse(server)
    token = token_of(web)
    subscription = browser_subscription()
    assert web.post(SUBSCRIBE, json=subscription, headers={"X-CSRF-Token": token}).status_code == 201
    gone = web.post(UNSUBSCRIBE, json={"endpoint": subscription["endpoint"]}, headers={"X-CSRF-Token": token})
    assert gone.status_code == 200, gone.text
    assert gone.json() == {"removed": True, "message": "Notifications désactivées sur cet appareil."}
    assert api.get("/me/push-subscriptions").json() == []
    twice = web.post(
        UNSUBSCRIBE, json={"endpoint": subscription["endpoint"]}, headers={"X-CSRF-Token": token}
    )
    assert twice.json()["removed"] is False
    unreadable = web.post(UNSUBSCRIBE, json={"endpoint": 3}, headers={"X-CSRF-Token": token})
    assert unreadable.status_code == 400
    assert "Désabonnement illisible" in unreadable.json()["detail"]


def test_the_demo_lists_its_sms_newest_first_in_paris_time_and_the_login_page_links_there(
    server: LiveServer,
) -> None:
    scene = Scene.open(server)
    try:
        digits = secrets.randbelow(10**6)  # 06 12 …: an assigned mobile range
        phone = f"06 12 {digits // 10**4:02d} {digits // 100 % 100:02d} {digits % 100:02d}"
        carer = scene.nurse(phone=phone)
        changed = carer.client.put(
            "/me/profile", json={"channels": {"push": True, "sms": True, "email": False}}
        )
        assert changed.status_code == 200, changed.text
        first, second = scene.send(care_type="Injection"), scene.send(care_type="Perfusion")
        assert first < second
    finally:
        scene.close()
    login = httpx.get(f"{server.process.base_url}/pro/")
    assert 'href="/pro/demo/messages"' in login.text
    e164 = "+33" + phone.replace(" ", "")[1:]
    page = httpx.get(f"{server.process.base_url}/pro/demo/messages")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    mine = [chunk for chunk in page.text.split("<li") if e164 in chunk]
    assert len(mine) == 2, page.text
    assert "Perfusion" in mine[0]  # newest first
    assert "Injection" in mine[1]
    assert "Nouvelle demande" in mine[0]
    assert all(f"{e164}</strong>" in chunk for chunk in mine)
    assert any(e["detail"].get("count") for e in audit(server, "demo_messages"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def real_channels_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """SMS through a provider and e-mail through an SMTP relay: no demo log (nothing is sent here)."""
    env = {
        "CENTRALE_SMS_PROVIDER": "brevo",
        "CENTRALE_SMS_API_KEY": "cle-de-test",
        "CENTRALE_SMS_API_URL": "http://127.0.0.1:9/sms",
        "CENTRALE_SMTP_HOST": "127.0.0.1",
        "CENTRALE_SMTP_PORT": "9",
    }
    yield from start_live(request.param, tmp_path_factory.mktemp(f"real-{request.param}"), **env)


def test_outside_the_demo_there_is_no_messages_page_nor_link(real_channels_server: LiveServer) -> None:
    base = real_channels_server.process.base_url
    page = httpx.get(f"{base}/pro/demo/messages")
    assert page.status_code == 404
    assert "Page introuvable" in page.text
    assert "/pro/demo/messages" not in httpx.get(f"{base}/pro/").text
