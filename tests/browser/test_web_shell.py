"""The shell of the web app: installable (manifest, service worker), an offline page when the
network is gone, no patient data kept by the browser, keyboard access, axe on every page, and
the PIN screen."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.browser import assert_accessible, problems_of
from tests.support.browser_fixtures import NewContext
from tests.support.live import LiveServer
from tests.support.web_pages import Scene, log_in

PAGES = (
    "/pro/tableau-de-bord",
    "/pro/demandes",
    "/pro/coordination",
    "/pro/declenchements",
    "/pro/declenchements/nouveau",
    "/pro/archives",
    "/pro/profil",
    "/pro/schema/choisir",
)


def test_the_login_page_and_every_menu_page_pass_axe(page: Page, web_server: LiveServer) -> None:
    page.goto("/pro/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    assert_accessible(page)
    scene = Scene.open(web_server)
    try:
        log_in(page, scene.nurse().profile["username"])
        for url in PAGES:
            response = page.goto(url)
            assert response is not None
            assert response.status == 200, url
            assert_accessible(page)
            # Nothing wider than the screen (a phone is 360 px wide): no sideways scrolling.
            assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), url
    finally:
        scene.close()


def test_installable_and_offline_page_without_patient_data_in_storage(
    new_context: NewContext, web_server: LiveServer
) -> None:
    context = new_context("phone", base_url=web_server.process.base_url)
    page = context.new_page()
    scene = Scene.open(web_server)
    try:
        log_in(page, scene.nurse().profile["username"])
        manifest = page.evaluate("fetch('/pro/manifest.webmanifest').then(r => r.json())")
        assert manifest["start_url"] == "/pro/"
        assert manifest["display"] == "standalone"
        assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
        assert page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        assert page.evaluate("() => navigator.serviceWorker.controller !== null")
        cached = page.evaluate(
            """async () => {
                const urls = [];
                for (const name of await caches.keys()) {
                    for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
                }
                return urls;
            }"""
        )
        assert any(url.endswith("/pro/hors-ligne") for url in cached)
        assert all("/pro/static/" in url or url.endswith("/pro/hors-ligne") for url in cached), cached
        # No page kept by htmx (historyCacheSize 0): only the path of the current page.
        stored = page.evaluate("[...Object.keys(localStorage), ...Object.keys(sessionStorage)]")
        assert set(stored) <= {"htmx-current-path-for-history"}, stored
        context.set_offline(True)
        page.goto("/pro/profil")
        expect(page.get_by_role("heading", name="Pas de réseau")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Pas de réseau…")
        problems_of(page).clear()  # the failed fetches of the live connection
        context.set_offline(False)
    finally:
        scene.close()


def test_every_action_is_reachable_by_keyboard(
    desktop_page: Page, phone_page: Page, web_server: LiveServer
) -> None:
    scene = Scene.open(web_server)
    try:
        page = desktop_page
        log_in(page, scene.nurse().profile["username"])
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
        reached = set()
        for _ in range(40):
            page.keyboard.press("Tab")
            reached.add(page.evaluate("document.activeElement.textContent.trim()"))
        assert {"Profil Activité", "Mes archives", "Nouveau déclenchement", "0"} <= reached, reached
        assert any(text.startswith("Déconnexion") for text in reached)
        # On the phone the menu is a drawer: opened and closed from the keyboard.
        phone = phone_page
        log_in(phone, scene.nurse().profile["username"])
        phone.keyboard.press("Tab")
        phone.keyboard.press("Tab")
        expect(phone.locator("summary")).to_be_focused()
        phone.keyboard.press("Enter")
        link = phone.locator("#menu-mobile").get_by_role("link", name="Profil Activité")
        expect(link).to_be_visible()
        phone.keyboard.press("Escape")
        expect(link).to_be_hidden()
        expect(phone.locator("summary")).to_be_focused()
    finally:
        scene.close()


def test_a_trusted_device_asks_the_pin_after_logout(desktop_page: Page, web_server: LiveServer) -> None:
    page = desktop_page
    scene = Scene.open(web_server)
    try:
        nurse = scene.nurse()
        log_in(page, nurse.profile["username"], pin="5831")
        page.get_by_role("button", name="Déconnexion").click()
        expect(page.get_by_role("heading", name="Saisir schéma")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Schéma (code de 4 à 8 chiffres)").fill("5831")
        page.get_by_role("button", name="Déverrouiller").click()
        expect(page.get_by_role("heading", name="Tableau de bord", exact=True)).to_be_visible()
        page.get_by_role("button", name="Déconnexion").click()
        page.get_by_role("button", name="Schéma oublié / Autre personne").click()
        expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    finally:
        scene.close()
