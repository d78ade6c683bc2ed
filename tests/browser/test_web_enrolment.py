"""« S'enregistrer » and « Mot de passe oublié » in Chromium, against a real server wired to a real
SMTP server: the form (with the commune autocomplete and the document), the SMS code read from
the demo backend's delivery rows, the e-mailed link read from the SMTP server, the approval by an
administrator through the API, then the login; the ADELI path; the password reset. axe checks
every new page."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.support.browser import assert_accessible, problems_of
from tests.support.browser_fixtures import NewContext
from tests.support.enrolment import PNG, last_sms_code, link_in, mails_to, mobile, start_enrolment_server
from tests.support.live import PASSWORD, LiveServer, rpps_with_key, unique_name
from tests.support.mail_fixtures import SMTP_LOGIN, mail_pki  # noqa: F401 - the session's PKI fixture
from tests.support.smtp_server import Pki, SmtpServer, smtp_server
from tests.support.web_pages import log_in

NEW_PASSWORD = "encore-un-nouveau-mot-de-passe"


@pytest.fixture(scope="module")
def mail(mail_pki: Pki) -> Iterator[SmtpServer]:  # noqa: F811
    with smtp_server(mail_pki, credentials=SMTP_LOGIN) as server:
        yield server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, mail: SmtpServer, mail_pki: Pki) -> Iterator[LiveServer]:  # noqa: F811
    yield from start_enrolment_server("sqlite", tmp_path_factory.mktemp("enrolment-web"), mail, mail_pki)


@pytest.fixture(params=["phone", "desktop"])
def page(request: pytest.FixtureRequest, new_context: NewContext, live: LiveServer) -> Page:
    return new_context(request.param, base_url=live.process.base_url).new_page()


def fill_form(page: Page, *, kind: str, identifier: str, profession: str, email: str, phone: str) -> None:
    page.get_by_label("Numéro ADELI" if kind == "adeli" else "Numéro RPPS", exact=True).check()
    page.get_by_label("Numéro RPPS (11 chiffres) ou ADELI (9 chiffres)").fill(identifier)
    page.get_by_label("Nom", exact=True).fill(unique_name("Lefèvre"))
    page.get_by_label("Prénom", exact=True).fill("Anaïs")
    page.get_by_label("Profession").select_option(profession)
    commune = page.get_by_label("Commune")
    commune.fill("Évry-Cour")  # the autocomplete offers the communes; the choice is its label
    option = page.locator("#communes-suggestions option").first
    expect(option).to_be_attached()
    commune.fill(option.get_attribute("value") or "")
    page.get_by_label("Adresse (numéro et rue)").fill("5 place des Droits de l'Homme")
    page.get_by_label("Téléphone mobile (un code vous est envoyé par SMS)").fill(phone)
    page.get_by_label("Adresse e-mail (un lien vous est envoyé)").fill(email)
    page.get_by_label("Réseau d'appartenance", exact=False).fill("CPTS Centre Essonne")
    page.get_by_label("Mot de passe (12 caractères au moins)").fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_label("Recto de votre carte CPS", exact=False).set_input_files(
        files=[FilePayload(name="cps.png", mimeType="image/png", buffer=PNG)]
    )


def verify(page: Page, live: LiveServer, mail: SmtpServer, phone: str, email: str) -> None:
    expect(page.get_by_role("heading", name="Vérification de vos coordonnées")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code unique reçu par SMS (6 chiffres)").fill(last_sms_code(live, phone))
    page.get_by_role("button", name="Valider le code").click()
    expect(page.get_by_text("Téléphone : vérifié")).to_be_visible()
    page.goto(link_in(mails_to(mail, email)[0]))
    expect(page.get_by_role("heading", name="Adresse e-mail confirmée")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("À valider par l'équipe")
    assert_accessible(page)


def approve(live: LiveServer, email: str) -> str:
    admin = live.admin()
    waiting = [
        r
        for r in admin.get("/admin/registrations", params={"status": "to_review"}).json()
        if r["email"] == email
    ]
    assert len(waiting) == 1
    approved = admin.post(f"/admin/registrations/{waiting[0]['id']}/approve", json={"create_network": True})
    assert approved.status_code == 200, approved.text
    username = approved.json()["username"]
    assert isinstance(username, str)
    return username


def test_enrol_verify_approve_log_in(page: Page, live: LiveServer, mail: SmtpServer) -> None:
    phone, email = mobile(), f"{unique_name('ide').lower()}@example.org"
    page.goto("/pro/")
    page.get_by_role("link", name="S'enregistrer").click()
    expect(page.get_by_role("heading", name="S'enregistrer")).to_be_visible()
    assert_accessible(page)
    fill_form(
        page,
        kind="rpps",
        identifier=rpps_with_key(hash(email) % 10**10),
        profession="60",
        email=email,
        phone=phone,
    )
    page.get_by_role("button", name="S'enregistrer").click()
    verify(page, live, mail, phone, email)
    username = approve(live, email)
    log_in(page, username)


def test_adeli_path(page: Page, live: LiveServer, mail: SmtpServer) -> None:
    phone, email = mobile(), f"{unique_name('ortho').lower()}@example.org"
    page.goto("/pro/inscription")
    adeli = f"75{secrets.randbelow(10**7):07d}"
    fill_form(page, kind="adeli", identifier=adeli, profession="60", email=email, phone=phone)
    page.get_by_role("button", name="S'enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "numéro ADELI n'est accepté que pour les professions sans RPPS"
    )
    assert_accessible(page)
    problems_of(page).clear()  # the 422 of the refused form, expected
    # What was typed is still there (never the password nor the file): choose the right profession.
    expect(page.get_by_label("Adresse e-mail (un lien vous est envoyé)")).to_have_value(email)
    page.get_by_label("Profession").select_option("91")  # orthophoniste: no RPPS before 2024
    page.get_by_label("Mot de passe (12 caractères au moins)").fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_label("Recto de votre carte CPS", exact=False).set_input_files(
        files=[FilePayload(name="attestation.png", mimeType="image/png", buffer=PNG)]
    )
    page.get_by_role("button", name="S'enregistrer").click()
    verify(page, live, mail, phone, email)
    username = approve(live, email)
    profile = live.client(live.login(username)).get("/me/profile")
    assert profile.status_code == 200, profile.text


def test_password_forgotten(page: Page, live: LiveServer, mail: SmtpServer) -> None:
    phone, email = mobile(), f"{unique_name('kine').lower()}@example.org"
    page.goto("/pro/inscription")
    fill_form(
        page,
        kind="rpps",
        identifier=rpps_with_key(hash(phone) % 10**10),
        profession="70",
        email=email,
        phone=phone,
    )
    page.get_by_role("button", name="S'enregistrer").click()
    verify(page, live, mail, phone, email)
    username = approve(live, email)
    page.goto("/pro/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", name="Mot de passe oublié")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Identifiant, adresse e-mail ou téléphone mobile").fill(email)
    page.get_by_label("un lien par e-mail").check()
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("Si un compte correspond")
    assert_accessible(page)
    page.goto(link_in(mails_to(mail, email, count=3)[-1]))
    expect(page.get_by_role("heading", name="Nouveau mot de passe")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nouveau mot de passe (12 caractères au moins)").fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text(username)
    log_in(page, username, NEW_PASSWORD)
