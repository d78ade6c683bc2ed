"""The notification channels in Chromium: « Canaux de notification » saved and read back (with and
without JavaScript), this device's subscription as far as a browser without a vendor push service
goes, the service worker showing what is pushed (delivered through the DevTools protocol), and the
demo's « Messages envoyés »; axe on each page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from server.web.pages.channels import per_event
from tests.support.browser import assert_accessible, problems_of
from tests.support.browser_fixtures import NewContext
from tests.support.live import LiveServer
from tests.support.push_service import PushService
from tests.support.web_pages import Scene, log_in

SUBSCRIBED = "Notifications activées sur cet appareil."
FAILED = "L'abonnement aux notifications a échoué"
NOTIFICATIONS = (
    "navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((found) => found.map("
    "(n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url})))"
)


@pytest.fixture
def scene(web_server: LiveServer) -> Iterator[Scene]:
    opened = Scene.open(web_server)
    yield opened
    opened.close()


def save_channels(page: Page) -> None:
    with page.expect_response(lambda r: "ok=profile" in r.url and r.request.method == "GET"):
        page.get_by_role("button", name="Enregistrer les canaux").click()
    expect(page.get_by_text("Profil Activité enregistré.")).to_be_visible()


def box(page: Page, group: str, channel: str) -> Any:
    return page.get_by_role("group", name=group).get_by_label(channel, exact=True)


def choose_and_check(page: Page, scene: Scene, nurse_api: Any) -> None:
    """Ticks SMS for new offers and e-mail for messages, unticks the device for « déjà prise »;
    saves; the page read again and the API agree."""
    if per_event():
        box(page, "Nouvelle demande de prise en charge", "SMS").check()
        box(page, "Nouveau message", "E-mail").check()
        box(page, "Demande déjà prise par un confrère", "Notification sur l'appareil").uncheck()
    else:
        box(page, "Canaux utilisés", "SMS").check()
    save_channels(page)
    page.reload()
    channels = nurse_api.get("/me/profile").json()["channels"]
    assert channels["sms"] is True
    if per_event():
        expect(box(page, "Nouvelle demande de prise en charge", "SMS")).to_be_checked()
        expect(box(page, "Nouveau message", "E-mail")).to_be_checked()
        expect(
            box(page, "Demande déjà prise par un confrère", "Notification sur l'appareil")
        ).not_to_be_checked()
        assert "sms" in channels["events"]["offer"]
        assert "email" in channels["events"]["message"]
        assert channels["events"]["offer_taken"] == []
    else:
        expect(box(page, "Canaux utilisés", "SMS")).to_be_checked()


def test_channels_are_saved_and_read_back_and_the_page_is_accessible(page: Page, scene: Scene) -> None:
    nurse = scene.nurse()
    log_in(page, nurse.profile["username"])
    page.goto("/pro/profil")
    expect(page.get_by_role("heading", name="Canaux de notification")).to_be_visible()
    expect(page.get_by_text("seul l'e-mail part encore")).to_be_visible()
    assert_accessible(page)
    choose_and_check(page, scene, nurse.client)


def test_channels_work_as_a_plain_form_without_javascript(
    new_context: NewContext, web_server: LiveServer, scene: Scene
) -> None:
    nurse = scene.nurse()
    page = new_context("phone", base_url=web_server.process.base_url, java_script_enabled=False).new_page()
    log_in(page, nurse.profile["username"])
    page.goto("/pro/profil")
    section = page.get_by_role("region", name="Notifications sur cet appareil")
    expect(section).to_contain_text("demandent JavaScript")  # said, rather than a dead button
    expect(section.get_by_role("button", name="Activer les notifications sur cet appareil")).to_be_hidden()
    choose_and_check(page, scene, nurse.client)


def profile_with_notifications(new_context: NewContext, web_server: LiveServer, scene: Scene) -> Page:
    nurse = scene.nurse()
    context: BrowserContext = new_context("phone", base_url=web_server.process.base_url)
    context.grant_permissions(["notifications"])
    page = context.new_page()
    log_in(page, nurse.profile["username"])
    page.goto("/pro/profil")
    return page


def test_activating_this_device_subscribes_or_says_why_in_french(
    new_context: NewContext, web_server: LiveServer, scene: Scene
) -> None:
    page = profile_with_notifications(new_context, web_server, scene)
    section = page.get_by_role("region", name="Notifications sur cet appareil")
    expect(section.get_by_role("status")).to_have_text(
        "Les notifications ne sont pas activées sur cet appareil."
    )
    assert_accessible(page)
    section.get_by_role("button", name="Activer les notifications sur cet appareil").tap()
    expect(section).to_have_attribute("data-state", re.compile("^(on|failed)$"))
    if section.get_attribute("data-state") == "on":  # a Chromium that reaches a push service
        expect(section.get_by_role("status")).to_have_text(SUBSCRIBED)
        expect(
            section.get_by_role("button", name="Désactiver les notifications sur cet appareil")
        ).to_be_visible()
    else:  # Playwright's contexts are incognito, where Chromium refuses the Push API: said in French
        expect(section.get_by_role("status")).to_contain_text(FAILED)
        expect(
            section.get_by_role("button", name="Activer les notifications sur cet appareil")
        ).to_be_enabled()
        problems = problems_of(page)  # Chromium's own console message about it, not the page's
        assert all("Push API" in message for message in problems.console_errors), problems.report()
        problems.console_errors.clear()

    # What the script posts once the browser subscribed: the subscription JSON, with the CSRF token.
    subscription = PushService(url="http://127.0.0.1:9").subscribe()
    answer = page.evaluate(
        """async (subscription) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
            const response = await fetch("/pro/notifications/abonnement", {method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
                body: JSON.stringify(subscription)});
            return {status: response.status, body: await response.json()};
        }""",
        subscription,
    )
    assert answer["status"] == 201, answer
    assert answer["body"]["message"] == SUBSCRIBED
    page.reload()
    devices = page.get_by_role("list", name="Appareils abonnés")
    expect(devices).to_contain_text("Navigateur (127.0.0.1), abonné le")
    devices.get_by_role("button", name=re.compile("Retirer")).tap()
    expect(page.get_by_text("Aucun appareil abonné.")).to_be_visible()


def test_the_service_worker_shows_what_is_pushed_one_notification_per_offer(
    new_context: NewContext, web_server: LiveServer, scene: Scene
) -> None:
    page = profile_with_notifications(new_context, web_server, scene)
    origin = web_server.process.base_url
    cdp = page.context.new_cdp_session(page)
    registrations: dict[str, str] = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.update(
            {r["scopeURL"]: r["registrationId"] for r in event["registrations"] if not r["isDeleted"]}
        ),
    )
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.state)") == "activated"
    cdp.send("ServiceWorker.enable")
    for _ in range(50):  # the registration's event arrives after enable
        if f"{origin}/pro/" in registrations:
            break
        page.wait_for_timeout(100)
    registration = registrations[f"{origin}/pro/"]

    def push(payload: dict[str, Any]) -> None:
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": origin, "registrationId": registration, "data": json.dumps(payload)},
        )

    def shown(count: int, title: str) -> list[dict[str, Any]]:
        """The notifications shown once `count` are, one of them titled `title` (5 s at most)."""
        for _ in range(50):
            found: list[dict[str, Any]] = page.evaluate(NOTIFICATIONS)
            if len(found) == count and any(n["title"] == title for n in found):
                break
            page.wait_for_timeout(100)
        return found

    offer_url = f"{origin}/pro/demandes/4242"
    push(
        {
            "title": "Nouvelle demande de prise en charge",
            "body": "Infirmier, Injection à Évry",
            "url": offer_url,
        }
    )
    [first] = shown(1, "Nouvelle demande de prise en charge")
    assert first == {
        "title": "Nouvelle demande de prise en charge",
        "body": "Infirmier, Injection à Évry",
        "tag": "/pro/demandes/4242",
        "url": offer_url,
    }
    # The same offer again (« déjà prise »): it replaces the first rather than adding one.
    push(
        {
            "title": "Demande déjà prise",
            "body": "La demande Injection à Évry est déjà prise.",
            "url": offer_url,
        }
    )
    [replaced] = shown(1, "Demande déjà prise")
    assert replaced["title"] == "Demande déjà prise"
    # A payload's own tag (or delivery id) wins; an address off this app opens the dashboard.
    push(
        {"title": "Nouveau commentaire", "body": "…", "url": "https://ailleurs.example/x", "delivery_id": 77}
    )
    found = shown(2, "Nouveau commentaire")
    other = next(n for n in found if n["tag"] == "77")
    assert other["url"] == f"{origin}/pro/tableau-de-bord"


def test_the_demo_messages_page_is_linked_from_the_login_page_and_accessible(
    page: Page, web_server: LiveServer
) -> None:
    page.goto("/pro/")
    page.get_by_role("link", name="Messages envoyés").click()
    expect(page.get_by_role("heading", name="Messages envoyés")).to_be_visible()
    expect(page.get_by_text("Démonstration : ces SMS et e-mails ne sont envoyés à personne.")).to_be_visible()
    assert_accessible(page)
