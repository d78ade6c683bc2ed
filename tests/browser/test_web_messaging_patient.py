"""« Messagerie » about a patient (issue 20): opened from the patient's page, only people allowed to
see the patient are offered, and the patient's name shows only to those allowed to see it (a
participant who lost the access keeps the thread, not the name). The pages pass axe-core. And a
long thread's older messages by pages, and someone added to a thread from its page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_accessible
from tests.support.browser_fixtures import NewContext
from tests.support.dispatch import Desk
from tests.support.live import LiveServer, unique_name
from tests.support.web_pages import Scene, log_in


@pytest.fixture
def scene(web_server: LiveServer) -> Iterator[Scene]:
    opened = Scene.open(web_server, last_name=unique_name("Patient"))
    yield opened
    opened.close()


def test_a_patient_thread_names_the_patient_only_to_those_allowed(
    new_context: NewContext, web_server: LiveServer, scene: Scene
) -> None:
    patient = scene.patient
    patient_name = f"{patient['last_name'].upper()} {patient['first_name']}"
    anne = scene.nurse(last_name=unique_name("Messagier"))
    bruno = scene.nurse(last_name=unique_name("Messagier"))
    stranger, _ = web_server.professional(last_name=unique_name("Messagier"))
    prescription_id = scene.send()
    assert anne.client.post(f"/prescriptions/{prescription_id}/accept").status_code == 200
    scene.desk.usual(patient["id"], bruno)  # Bruno may see the patient: their usual nurse

    page = new_context("desktop", base_url=web_server.process.base_url).new_page()
    log_in(page, anne.profile["username"])
    page.goto(f"/pro/soins/{prescription_id}")
    page.get_by_role("link", name="Écrire à un professionnel au sujet de ce patient").click()
    expect(page.get_by_role("heading", name="Nouveau message")).to_be_visible()
    expect(page.locator("#nouveau")).to_contain_text(f"Au sujet de : {patient_name}")

    field = page.get_by_label("Nom de la personne")
    field.fill(stranger["last_name"])  # not allowed to see the patient: not offered
    expect(page.get_by_role("status").filter(has_text="Aucune personne trouvée")).to_be_visible()
    field.fill(bruno.profile["last_name"])
    page.get_by_role("checkbox", name=re.compile(bruno.profile["last_name"], re.IGNORECASE)).check()
    assert_accessible(page)  # the new-message form with its results
    page.get_by_label("Objet (facultatif)").fill("Plaie du talon")
    page.get_by_role("textbox", name=re.compile("^Message")).fill("La plaie suinte, avis ?")
    page.get_by_role("button", name="Rédiger").click()
    expect(page.get_by_text("Conversation créée")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"Patient : {patient_name}")
    assert_accessible(page)  # a thread page
    page.goto("/pro/messagerie")
    expect(page.locator("#conversations")).to_contain_text(f"Patient : {patient_name}")
    assert_accessible(page)  # the list

    other = new_context("phone", base_url=web_server.process.base_url).new_page()
    log_in(other, bruno.profile["username"])
    other.goto("/pro/messagerie")
    expect(other.locator("#conversations")).to_contain_text(f"Patient : {patient_name}")
    scene.desk.usual(patient["id"])  # Bruno is no longer the patient's usual nurse
    other.reload()
    row = other.locator("#conversations li.thread").filter(has_text="Plaie du talon")
    expect(row).to_contain_text("identité non visible pour vous")
    row.get_by_role("link").click()
    expect(other.get_by_role("heading", name="Plaie du talon")).to_be_visible()
    expect(other.locator("main")).to_contain_text("La plaie suinte, avis ?")
    expect(other.locator("body")).not_to_contain_text(patient["last_name"].upper())
    expect(other.locator("body")).not_to_contain_text(patient["last_name"])


def test_older_messages_by_pages_and_adding_someone_to_a_thread(
    new_context: NewContext, web_server: LiveServer
) -> None:
    desk = Desk.open(web_server)
    try:
        _user, api = desk.staff("operator")
        gina, hugo = (web_server.professional(last_name=unique_name("Messagier"))[0] for _ in range(2))
        created = api.post("/threads", json={"participant_ids": [gina["user_id"]], "text": "Message 0"})
        assert created.status_code == 201, created.text
        thread_id = int(created.json()["id"])
        for n in range(1, 56):
            assert (
                api.post(f"/threads/{thread_id}/messages", json={"text": f"Message {n}"}).status_code == 201
            )

        page = new_context("phone", base_url=web_server.process.base_url).new_page()
        log_in(page, gina["username"])
        page.goto(f"/pro/messagerie/{thread_id}")
        items = page.locator("#fil li.message .text")
        expect(items).to_have_count(50)
        expect(items.first).to_have_text("Message 6")
        expect(items.last).to_have_text("Message 55")
        page.get_by_role("link", name="Messages précédents").click()
        expect(items).to_have_text([f"Message {n}" for n in range(6)])
        expect(page.get_by_role("link", name="Messages précédents")).to_have_count(0)
        page.get_by_role("link", name="Revenir aux derniers messages").click()
        expect(items.last).to_have_text("Message 55")

        page.get_by_label("Nom de la personne").fill(hugo["last_name"])
        page.get_by_role("checkbox", name=re.compile(hugo["last_name"], re.IGNORECASE)).check()
        page.get_by_role("button", name="Ajouter à la conversation").click()
        expect(page.get_by_text("Participants ajoutés à la conversation.")).to_be_visible()
        expect(page.locator("ul.participants")).to_contain_text(re.compile(hugo["last_name"], re.IGNORECASE))
        ids = {p["user_id"] for p in api.get(f"/threads/{thread_id}").json()["participants"]}
        assert hugo["user_id"] in ids
    finally:
        desk.close()
