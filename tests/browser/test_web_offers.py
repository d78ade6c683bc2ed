"""Offers in the professionals' web app: one arrives live, anonymised; the first to accept gets
the patient in full, the others learn at once that it is taken; and all of it without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import assert_accessible
from tests.support.browser_fixtures import NewContext
from tests.support.live import LiveServer
from tests.support.web_pages import Scene, log_in


@pytest.fixture
def scene(web_server: LiveServer) -> Iterator[Scene]:
    opened = Scene.open(web_server, address_line="7 impasse des Glycines", digicode="4589B")
    yield opened
    opened.close()


def offers_list(page: Page):
    return page.locator("#liste-offres")


def test_an_offer_arrives_live_anonymised_with_its_area_only(page: Page, scene: Scene) -> None:
    nurse = scene.nurse()
    log_in(page, nurse.profile["username"])
    expect(offers_list(page)).to_contain_text("Aucune demande en attente")
    expect(page.locator("#badge")).to_have_text("0")
    assert_accessible(page)

    prescription_id = scene.send(care_type="Prise de sang", comment="Bilan à jeun, patiente âgée")

    # No reload: the live feed wakes the page, which re-reads the list and the badge.
    line = offers_list(page).get_by_role("link", name=re.compile("Prise de sang"))
    expect(line).to_be_visible(timeout=5000)
    expect(page.locator("#badge")).to_have_text("1")
    line.click()
    expect(page.get_by_role("heading", name="Demande de prise en charge")).to_be_visible()
    expect(page.get_by_role("button", name="Accepter")).to_be_visible()
    body = page.locator("main").inner_text()
    patient = scene.patient
    assert "Prise de sang" in body
    assert "Bilan à jeun, patiente âgée" in body
    assert patient["city"] in body
    assert "ans" in body
    source = page.content()
    for secret in (
        patient["last_name"],
        patient["address_line"],
        "4589B",
        patient["phone"],
        patient["birth_date"],
    ):
        assert secret not in source, secret
    digits = re.sub(r"\D", "", patient["phone"])
    assert digits[-8:] not in re.sub(r"\D", "", source)
    for coordinate in (scene.lat, scene.lon):
        assert f"{coordinate:.3f}" not in source, "coordonnée exacte dans la page"
    assert page.locator("[data-map]").count() == 1
    assert f"/demandes/{prescription_id}" in page.url
    assert_accessible(page)


def test_first_acceptance_wins_and_the_other_page_says_taken_at_once(
    new_context: NewContext, web_server: LiveServer, scene: Scene
) -> None:
    first, second = scene.nurse(), scene.nurse()
    base = web_server.process.base_url
    pages = []
    for nurse, viewport in ((first, "desktop"), (second, "phone")):
        page = new_context(viewport, base_url=base).new_page()
        log_in(page, nurse.profile["username"])
        pages.append(page)
    prescription_id = scene.send()
    for page in pages:
        page.goto(f"/pro/demandes/{prescription_id}")
        expect(page.get_by_role("button", name="Accepter")).to_be_visible()
    winner, loser = pages
    winner.get_by_role("button", name="Accepter").click()
    expect(
        winner.get_by_role("heading", name=scene.patient["last_name"].upper(), exact=False)
    ).to_be_visible()
    expect(winner.get_by_text("Demande acceptée")).to_be_visible()
    main = winner.locator("main")
    expect(main).to_contain_text("7 impasse des Glycines")
    expect(main).to_contain_text("4589B")
    expect(main).to_contain_text(scene.patient["phone"])
    assert_accessible(winner)
    # The other nurse's page changes without a reload.
    expect(loser.get_by_text("Cette demande a déjà été prise par un autre professionnel.")).to_be_visible(
        timeout=5000
    )
    expect(loser.get_by_role("button", name="Accepter")).to_have_count(0)


def test_accept_and_decline_work_as_plain_forms_without_javascript(
    new_context: NewContext, web_server: LiveServer, scene: Scene
) -> None:
    nurse = scene.nurse()
    page = new_context("phone", base_url=web_server.process.base_url, java_script_enabled=False).new_page()
    log_in(page, nurse.profile["username"])
    declined, accepted = scene.send(care_type="Injection"), scene.send(care_type="Perfusion")
    page.goto("/pro/demandes")
    expect(page.get_by_role("link", name=re.compile("Injection"))).to_be_visible()
    page.goto(f"/pro/demandes/{declined}")
    page.get_by_role("button", name="Décliner").click()
    expect(page.get_by_text("Demande déclinée.")).to_be_visible()
    expect(page.locator("#liste-offres")).not_to_contain_text("Injection")
    page.goto(f"/pro/demandes/{accepted}")
    page.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("Demande acceptée")).to_be_visible()
    expect(page.locator("main")).to_contain_text("7 impasse des Glycines")
    assert f"/pro/soins/{accepted}" in page.url


def test_an_offer_taken_by_someone_else_leaves_the_dashboard_live(phone_page: Page, scene: Scene) -> None:
    page = phone_page
    watcher, taker = scene.nurse(), scene.nurse()
    log_in(page, watcher.profile["username"])
    prescription_id = scene.send(care_type="Aérosol")
    expect(offers_list(page)).to_contain_text("Aérosol")
    expect(page.locator("#badge")).to_have_text("1")
    assert taker.client.post(f"/prescriptions/{prescription_id}/accept").status_code == 200
    expect(offers_list(page)).to_contain_text("Aucune demande en attente")
    expect(page.locator("#badge")).to_have_text("0")


def test_a_usual_professional_sees_the_name_and_is_told_so(desktop_page: Page, scene: Scene) -> None:
    page = desktop_page
    usual = scene.nurse()
    scene.desk.usual(scene.patient["id"], usual)
    log_in(page, usual.profile["username"])
    prescription_id = scene.send(care_type="Prise de sang")
    page.goto(f"/pro/demandes/{prescription_id}")
    main = page.locator("main")
    expect(main).to_contain_text(f"Professionnel de santé habituel : {usual.name}")
    expect(main).to_contain_text(scene.patient["last_name"].upper())
    assert page.locator("[data-map]").count() == 0  # the address is given: no area to draw
