"""« Nouveau déclenchement » from the web app: a new patient, two prescriptions (« + Plus »), the
answer per prescription, and the request in « Mes Déclenchements »."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from server.geo.communes import commune_index
from tests.support.browser import assert_accessible, problems_of
from tests.support.live import LiveServer
from tests.support.web_pages import Scene, log_in


@pytest.fixture
def scene(web_server: LiveServer) -> Iterator[Scene]:
    opened = Scene.open(web_server)
    yield opened
    opened.close()


def new_patient(page: Page, phone: str) -> None:
    """Lucie FERRAND, born 1941, in Évry-Courcouronnes: the « Patient » fields of the form."""
    for label, value in (
        ("Nom", "Ferrand"),
        ("Prénom", "Lucie"),
        ("Date de naissance", "1941-05-02"),
        ("Téléphone", phone),
        ("Adresse", "3 rue du Moulin"),
        ("Code postal", "91000"),
        ("Ville", "Évry-Courcouronnes"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Sexe").select_option("F")


def test_a_professional_sends_two_prescriptions_for_a_new_patient(desktop_page: Page, scene: Scene) -> None:
    page = desktop_page
    requester = scene.nurse()
    # The new patient lives in Évry-Courcouronnes (placed at the commune's centre): a nurse there.
    evry = commune_index().place("91228")
    assert evry is not None
    responder = scene.desk.responder(*evry, via_api=True, radius_km=2)
    log_in(page, requester.profile["username"])
    page.goto("/pro/declenchements/nouveau")
    assert_accessible(page)
    new_patient(page, "01 99 00 43 21")
    page.locator("#p0_soins").fill("Pansement")
    page.locator("#p0_commentaire").fill("Ulcère de jambe, deux fois par jour")
    page.locator("#p0_passages").fill("2")
    page.get_by_role("button", name="+ Plus (une autre prescription)").click()
    expect(page.get_by_role("group", name="Prescription 2")).to_be_visible()
    expect(page.locator("#p0_soins")).to_have_value("Pansement")
    page.locator("#p1_profession").select_option("70")
    page.locator("#p1_soins").fill("Kiné respiratoire")
    page.locator("#p1_commentaire").fill("Encombrement bronchique")
    page.get_by_role("button", name="Déclencher").click()
    expect(page.get_by_role("heading", name="Déclenchement envoyé")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(
        re.compile(r"OK pour déclenchement Pansement \(Infirmier\) => \d+ intervenant\(s\) déclenché\(s\)")
    )
    expect(main).to_contain_text("Kiné respiratoire (Masseur-kinésithérapeute) : Aucune ressource disponible")
    assert len(responder.offer_ids()) == 1  # the nurse nearby, not the kiné's (none registered)
    page.goto("/pro/declenchements")
    expect(page.locator("#liste-declenchements")).to_contain_text("FERRAND Lucie — Infirmier, Pansement")
    expect(page.locator("#liste-declenchements")).to_contain_text("Aucune ressource disponible")


def test_a_new_patient_with_a_wrong_nir_is_refused_in_french(desktop_page: Page, scene: Scene) -> None:
    page = desktop_page
    log_in(page, scene.nurse().profile["username"])
    page.goto("/pro/declenchements/nouveau")
    new_patient(page, "01 99 00 43 22")
    page.get_by_label("NIR (facultatif, 15 caractères)").fill("241059122800199")
    page.locator("#p0_soins").fill("Pansement")
    page.locator("#p0_commentaire").fill("Pansement simple")
    page.get_by_role("button", name="Déclencher").click()
    expect(page.get_by_role("alert")).to_contain_text("NIR")
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Ferrand")
    problems_of(page).clear()  # the browser logs the 422 it was sent
