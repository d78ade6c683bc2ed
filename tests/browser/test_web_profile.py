"""« Profil Activité »: the status, the care preferences and the notification hours chosen in the
page decide whether the next case reaches the professional."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import assert_accessible
from tests.support.live import LiveServer
from tests.support.web_pages import Scene, log_in


@pytest.fixture
def scene(web_server: LiveServer) -> Iterator[Scene]:
    opened = Scene.open(web_server)
    yield opened
    opened.close()


def save(page: Page, button: str) -> None:
    """Submit, and wait for the page the change leads to (the previous one may show the notice)."""
    with page.expect_response(lambda r: "ok=profile" in r.url and r.request.method == "GET"):
        page.get_by_role("button", name=button).click()
    expect(page.get_by_text("Profil Activité enregistré.")).to_be_visible()


def test_status_and_care_preferences_steer_the_next_cases(page: Page, scene: Scene) -> None:
    nurse = scene.nurse()
    log_in(page, nurse.profile["username"])
    page.goto("/pro/profil")
    expect(page.get_by_role("heading", name="Profil Activité")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Indisponible", exact=True).check()
    save(page, "Enregistrer le statut")
    expect(page.locator("main")).to_contain_text("Statut actuel : Indisponible")
    unseen = scene.send(care_type="Injection")
    assert unseen not in nurse.offer_ids()

    page.get_by_label("Disponible (C&V)").check()
    save(page, "Enregistrer le statut")
    seen = scene.send(care_type="Perfusion")
    assert seen in nurse.offer_ids()

    # Pref. PeC: office only; a home visit no longer reaches them, a consultation does.
    page.get_by_label("Visites à domicile").uncheck()
    save(page, "Enregistrer les préférences")
    expect(page.get_by_label("Visites à domicile")).not_to_be_checked()
    visit = scene.send(care_type="Pansement", care_mode="visit")
    office = scene.send(care_type="Vaccination", care_mode="office")
    offers = nurse.offer_ids()
    assert visit not in offers
    assert office in offers

    page.get_by_label("Indisponible pendant…").check()
    page.get_by_label("Durée de l'indisponibilité").select_option("2")
    save(page, "Enregistrer le statut")
    expect(page.locator("main")).to_contain_text("Indisponible jusqu'au")
    paused = scene.send(care_type="Vaccination", care_mode="office")
    assert paused not in nurse.offer_ids()


def test_notification_hours_per_weekday(desktop_page: Page, scene: Scene) -> None:
    page = desktop_page
    nurse = scene.nurse()
    log_in(page, nurse.profile["username"])
    page.goto("/pro/profil")
    for weekday in range(7):  # unavailable all day, every day but Sunday: custom hours
        page.locator(f"#jour_{weekday}").select_option("off" if weekday < 6 else "custom")
    page.locator("#debut_6_0").fill("08:00")
    page.locator("#fin_6_0").fill("12:00")
    save(page, "Enregistrer les notifications")
    expect(page.locator("#jour_0")).to_have_value("off")
    expect(page.locator("#jour_6")).to_have_value("custom")
    expect(page.locator("#fin_6_0")).to_have_value("12:00")
    response = nurse.client.get("/me/profile")
    assert response.status_code == 200, response.text
    days = response.json()["notification_windows"]
    assert [d["state"] for d in days] == ["off"] * 6 + ["custom"]
    assert days[6]["hours"] == [{"start": "08:00", "end": "12:00"}]


def test_a_commune_served_is_added_by_name(desktop_page: Page, scene: Scene) -> None:
    page = desktop_page
    nurse = scene.nurse()
    log_in(page, nurse.profile["username"])
    page.goto("/pro/profil")
    field = page.get_by_label("Ajouter une commune (nom ou code postal)")
    field.press_sequentially("Étamp", delay=30)
    expect(page.locator("#communes-suggestions option").first).to_have_attribute(
        "value", "Étampes (91150) — 91223"
    )
    field.fill("Étampes (91150) — 91223")
    save(page, "Enregistrer les préférences")
    expect(page.get_by_label("Étampes (91150)")).to_be_checked()
