"""« Patient en soins » in the web app: passages, CR, notes, documents (checked by content),
incident, directives and trusted persons, and « Fin série de soins » → « Mes archives »."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import assert_accessible, problems_of
from tests.support.dispatch import prescription
from tests.support.live import LiveServer
from tests.support.web_pages import Scene, log_in


@pytest.fixture
def scene(web_server: LiveServer) -> Iterator[Scene]:
    opened = Scene.open(web_server)
    yield opened
    opened.close()


def accepted(page: Page, scene: Scene, **prescription: object) -> int:
    nurse = scene.nurse()
    log_in(page, nurse.profile["username"])
    prescription_id = scene.send(**prescription)
    page.goto(f"/pro/demandes/{prescription_id}")
    page.get_by_role("button", name="Accepter").click()
    expect(page.get_by_role("heading", name="Comptes rendus")).to_be_visible()
    return prescription_id


def test_the_care_loop_from_first_visit_to_the_archive(
    desktop_page: Page, scene: Scene, tmp_path: Path
) -> None:
    page = desktop_page
    prescription_id = accepted(page, scene, days=2, visits_per_day=3, care_type="Pansement complexe")
    assert_accessible(page)

    page.get_by_role("button", name="Débuter").click()
    expect(page.get_by_text("Prise en charge débutée.")).to_be_visible()
    page.get_by_label("Note du passage (facultative)").fill("Plaie propre")
    page.get_by_role("button", name="Enregistrer le 1er passage").click()
    expect(page.get_by_text("Passage enregistré.")).to_be_visible()
    expect(page.locator("#etat-soins")).to_contain_text("1er passage sur 6")
    page.get_by_role("button", name="Enregistrer le 2e passage").click()
    expect(page.locator("#etat-soins")).to_contain_text("2e passage sur 6")

    page.get_by_label("Ajouter un CR").fill("Cicatrisation en bonne voie.")
    page.get_by_role("button", name="Ajouter le CR").click()
    expect(page.get_by_text("Compte rendu ajouté.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Cicatrisation en bonne voie.")

    page.get_by_label("Ajouter une note").fill("Prévoir des compresses.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_text("Note ajoutée.")).to_be_visible()

    real = tmp_path / "ordonnance.pdf"
    real.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Fichier (JPG, PNG ou PDF, 2 Mo au plus)").set_input_files(str(real))
    page.get_by_role("button", name="Ajouter la pièce jointe").click()
    expect(page.get_by_text("Document ajouté.")).to_be_visible()
    expect(page.get_by_role("link", name="ordonnance.pdf")).to_be_visible()

    fake = tmp_path / "faux.pdf"
    fake.write_bytes(b"MZ\x90\x00 ceci n'est pas un PDF")
    page.get_by_label("Fichier (JPG, PNG ou PDF, 2 Mo au plus)").set_input_files(str(fake))
    with page.expect_response(re.compile(r"/documents$")) as refused:
        page.get_by_role("button", name="Ajouter la pièce jointe").click()
    assert refused.value.status == 415
    expect(page.get_by_role("alert")).to_have_text("Seuls les fichiers JPG, PNG et PDF sont acceptés")
    problems_of(page).clear()  # the browser logs the 415 it was sent
    page.get_by_role("link", name="Retour").click()

    page.get_by_label("Signaler un incident (transmis au superviseur de votre réseau)").fill(
        "Chien agressif."
    )
    page.get_by_role("button", name="Signaler l'incident").click()
    expect(page.get_by_text("Incident signalé au superviseur de votre réseau.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Chien agressif.")

    page.get_by_role("button", name="Fin série de soins").click()
    expect(page.get_by_role("heading", name="Mes archives")).to_be_visible()
    expect(page.get_by_text("Série de soins terminée")).to_be_visible()
    expect(page.locator("#liste-archives")).to_contain_text(scene.patient["last_name"].upper())
    page.goto("/pro/tableau-de-bord")
    expect(page.locator("#liste-soins")).not_to_contain_text(scene.patient["last_name"].upper())
    assert prescription_id


def test_directives_and_trusted_persons_once_the_care_began(phone_page: Page, scene: Scene) -> None:
    page = phone_page
    prescription_id = accepted(page, scene)
    expect(
        page.get_by_role("link", name="Modifier les directives et les personnes de confiance")
    ).to_have_count(0)
    page.get_by_role("button", name="Débuter").click()
    page.get_by_role("link", name="Modifier les directives et les personnes de confiance").click()
    expect(page.get_by_role("heading", name=re.compile("Dossier de soins"))).to_be_visible()
    page.get_by_label("Directives anticipées").fill("Pas d'acharnement thérapeutique.")
    page.locator("#nom_0").fill("Paul Martin")
    page.locator("#lien_0").fill("Fils")
    page.locator("#telephone_0").fill("06 12 34 56 78")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Dossier de soins enregistré.")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("Pas d'acharnement thérapeutique.")
    expect(main).to_contain_text("Paul Martin (Fils)")
    assert f"/pro/soins/{prescription_id}" in page.url


def test_a_co_treated_patient_is_in_coordination_with_notes_but_no_care_actions(
    phone_page: Page, scene: Scene
) -> None:
    page = phone_page
    nurse, physio = scene.nurse(), scene.nurse(profession_code="70")
    sent = scene.desk.send(
        scene.patient["id"],
        prescription(care_type="Pansement"),
        prescription(profession_code="70", care_type="Kiné respiratoire"),
    )
    nursing, physiotherapy = (line["id"] for line in sent["prescriptions"])
    assert nurse.client.post(f"/prescriptions/{nursing}/accept").status_code == 200
    assert physio.client.post(f"/prescriptions/{physiotherapy}/accept").status_code == 200
    log_in(page, nurse.profile["username"])
    expect(page.locator("#liste-coordination")).to_contain_text("Kiné respiratoire")
    page.locator("#liste-coordination").get_by_role("link").first.click()
    expect(page.get_by_text("Patient en coordination · Fiche")).to_be_visible()
    expect(page.get_by_role("button", name="Débuter")).to_have_count(0)
    expect(page.get_by_role("button", name="Fin série de soins")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Ajouter une note").fill("Je passe le matin, kiné l'après-midi ?")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_text("Note ajoutée.")).to_be_visible()
    assert f"/pro/coordination/{physiotherapy}" in page.url
