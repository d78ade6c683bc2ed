"""« Messagerie » in the web app (issue 20), in Chromium against a real server: two professionals
in two browser contexts and a hotline operator through the JSON API in one thread — a message
appears in the others' open pages within 1 s, unread counts go up and back to 0, « vu par »,
leaving, an attachment refused by content (the text kept), no edit or delete anywhere."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import problems_of
from tests.support.browser_fixtures import NewContext
from tests.support.dispatch import Desk
from tests.support.live import LiveServer, unique_name
from tests.support.web_pages import csrf_of, log_in

LIVE_LIMIT_S = 1.0


@dataclass
class Person:
    id: int
    name: str  # what the search finds them by
    username: str


@pytest.fixture
def desk(web_server: LiveServer) -> Iterator[Desk]:
    opened = Desk.open(web_server)
    yield opened
    opened.close()


def professional(server: LiveServer) -> Person:
    last_name = unique_name("Messagier")
    profile, _client = server.professional(last_name=last_name, first_name="Lou")
    return Person(int(profile["user_id"]), last_name, profile["username"])


@pytest.fixture
def operator(desk: Desk) -> tuple[Person, httpx.Client]:
    user, client = desk.staff("operator")
    return Person(int(user["id"]), user["username"], user["username"]), client


def open_as(new_context: NewContext, server: LiveServer, person: Person, viewport: str = "desktop") -> Page:
    page = new_context(viewport, base_url=server.process.base_url).new_page()
    log_in(page, person.username)
    return page


def connected(page: Page) -> None:
    expect(page.locator("#diode")).to_have_attribute("data-state", "connected")


def tick(page: Page, person: Person) -> None:
    """Search by name as one types, then tick the person found."""
    field = page.get_by_label("Nom de la personne")
    field.fill(person.name[:2])
    expect(page.get_by_role("status").filter(has_text="Saisissez au moins 3 lettres du nom")).to_be_visible()
    field.fill(person.name)
    page.get_by_role("checkbox", name=re.compile(re.escape(person.name), re.IGNORECASE)).check()


def write_to(page: Page, people: list[Person], subject: str, text: str) -> int:
    page.goto("/pro/messagerie/nouveau")
    for person in people:
        tick(page, person)
    page.get_by_label("Objet (facultatif)").fill(subject)
    page.get_by_role("textbox", name=re.compile("^Message")).fill(text)
    page.get_by_role("button", name="Rédiger").click()
    expect(page.get_by_text("Conversation créée")).to_be_visible()
    found = re.search(r"/messagerie/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def thread_messages(page: Page) -> Any:
    return page.locator("#fil li.message")


def unread_badge(page: Page) -> Any:
    return page.locator("#unread-menu")


def post_api(client: httpx.Client, thread_id: int, text: str) -> dict[str, Any]:
    response = client.post(f"/threads/{thread_id}/messages", json={"text": text})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def appears_within(page: Page, text: str, started: float) -> float:
    expect(thread_messages(page).filter(has_text=text)).to_have_count(1, timeout=5_000)
    return time.monotonic() - started


def test_two_pages_and_the_api_in_one_thread_live_with_unread_counts(
    new_context: NewContext, web_server: LiveServer, operator: tuple[Person, httpx.Client]
) -> None:
    hotline, api = operator
    anne, bruno = professional(web_server), professional(web_server)
    page_a = open_as(new_context, web_server, anne)
    page_b = open_as(new_context, web_server, bruno, "phone")
    page_b.goto("/pro/messagerie")
    connected(page_b)
    expect(page_b.locator("#conversations")).to_contain_text("Aucune conversation")

    thread_id = write_to(page_a, [bruno, hotline], "Pansement de M. X", "Bonjour, qui passe demain ?")
    expect(thread_messages(page_a)).to_have_count(1)
    # Bruno's open list and menu learn of it without a reload.
    row = page_b.locator(f"li.thread[data-thread-id='{thread_id}']")
    expect(row).to_contain_text("Pansement de M. X")
    expect(row).to_contain_text("Bonjour, qui passe demain ?")
    expect(row.locator(".count")).to_have_text(re.compile(r"^1"))
    expect(unread_badge(page_b)).to_have_text(re.compile(r"^1"))

    row.get_by_role("link").click()
    expect(page_b.get_by_role("heading", name="Pansement de M. X")).to_be_visible()
    expect(unread_badge(page_b)).to_have_text("")  # read when shown
    assert api.get("/threads/unread").json()["unread_threads"] == 1  # the operator has not read it
    connected(page_a)
    connected(page_b)
    # Anne sees Bruno's read mark under her message.
    expect(page_a.locator(".message .seen")).to_have_text(
        re.compile(f"^Vu par .*{bruno.name}", re.IGNORECASE)
    )

    # The operator (API) writes: both open pages show it within a second.
    started = time.monotonic()
    post_api(api, thread_id, "La centrale : M. X sera vu à 9 h.")
    delays = [appears_within(p, "La centrale : M. X sera vu à 9 h.", started) for p in (page_a, page_b)]
    assert max(delays) < LIVE_LIMIT_S, delays

    # Bruno writes from his page: Anne's page and the API see it.
    page_b.get_by_role("textbox", name=re.compile("^Message")).fill("Je passe à 9 h.")
    started = time.monotonic()
    page_b.get_by_role("button", name="Envoyer").click()
    assert appears_within(page_a, "Je passe à 9 h.", started) < LIVE_LIMIT_S
    expect(page_b.get_by_text("Message envoyé.")).to_be_visible()
    texts = [m["text"] for m in api.get(f"/threads/{thread_id}/messages").json()["items"]]
    assert texts[-3:] == [
        "Bonjour, qui passe demain ?",
        "La centrale : M. X sera vu à 9 h.",
        "Je passe à 9 h.",
    ]

    # Anne away from the thread: her counts go up, and back to 0 once she opens it.
    page_a.goto("/pro/messagerie")
    connected(page_a)
    post_api(api, thread_id, "Deuxième message de la centrale.")
    post_api(api, thread_id, "Troisième message de la centrale.")
    row_a = page_a.locator(f"li.thread[data-thread-id='{thread_id}']")
    expect(row_a.locator(".count")).to_have_text(re.compile(r"^2"))
    expect(unread_badge(page_a)).to_have_text(re.compile(r"^1"))
    expect(row_a).to_contain_text("Troisième message de la centrale.")
    row_a.get_by_role("link").click()
    expect(thread_messages(page_a).last).to_contain_text("Troisième message de la centrale.")
    expect(unread_badge(page_a)).to_have_text("")
    page_a.goto("/pro/messagerie")
    expect(row_a.locator(".count")).to_have_count(0)
    # Bruno's page was open all along: read as it came, nothing unread.
    expect(unread_badge(page_b)).to_have_text("")
    assert api.get("/threads/unread").json()["unread_threads"] == 0  # the operator wrote last

    # No edit, no delete: neither a control in the pages nor a route.
    page_b.goto(f"/pro/messagerie/{thread_id}")
    expect(page_b.get_by_role("button", name=re.compile("Modifier|Supprimer"))).to_have_count(0)
    expect(page_b.get_by_text("ne peut être ni modifié ni supprimé")).to_be_visible()
    message_id = api.get(f"/threads/{thread_id}/messages").json()["items"][0]["id"]
    refused = api.delete(f"/threads/{thread_id}/messages/{message_id}")
    assert refused.status_code == 405
    assert refused.json()["code"] == "message_immutable"


def test_leaving_a_thread(
    new_context: NewContext, web_server: LiveServer, operator: tuple[Person, httpx.Client]
) -> None:
    _hotline, api = operator
    claire = professional(web_server)
    response = api.post(
        "/threads", json={"participant_ids": [claire.id], "subject": "Astreinte", "text": "Salut"}
    )
    assert response.status_code == 201, response.text
    thread_id = int(response.json()["id"])
    page = open_as(new_context, web_server, claire, "phone")
    page.goto(f"/pro/messagerie/{thread_id}")
    page.get_by_role("link", name="Quitter la conversation").click()
    expect(page.get_by_text("Vous ne recevrez plus les nouveaux messages")).to_be_visible()
    page.get_by_role("button", name="Quitter la conversation").click()
    expect(page.get_by_text("Vous avez quitté la conversation.")).to_be_visible()
    expect(page.locator(f"li.thread[data-thread-id='{thread_id}']")).to_contain_text("Quittée")

    post_api(api, thread_id, "Après votre départ")
    page.goto(f"/pro/messagerie/{thread_id}")
    expect(page.get_by_text("Vous avez quitté cette conversation")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Salut")
    expect(page.locator("main")).not_to_contain_text("Après votre départ")
    expect(page.get_by_role("button", name="Envoyer")).to_have_count(0)
    participants = api.get(f"/threads/{thread_id}").json()["participants"]
    assert [p["left_at"] is not None for p in participants if p["user_id"] == claire.id] == [True]


def test_an_attachment_refused_by_content_keeps_the_text(
    new_context: NewContext, web_server: LiveServer, operator: tuple[Person, httpx.Client], tmp_path: Path
) -> None:
    _hotline, api = operator
    denis = professional(web_server)
    response = api.post("/threads", json={"participant_ids": [denis.id], "text": "Envoyez l'ordonnance"})
    assert response.status_code == 201, response.text
    thread_id = int(response.json()["id"])
    page = open_as(new_context, web_server, denis)
    page.goto(f"/pro/messagerie/{thread_id}")

    fake = tmp_path / "ordonnance.pdf"
    fake.write_bytes(b"MZ\x90\x00 ceci n'est pas un PDF")
    page.get_by_role("textbox", name=re.compile("^Message")).fill("Voici l'ordonnance, à bientôt.")
    page.get_by_label(re.compile("^Pièces jointes")).set_input_files(str(fake))
    with page.expect_response(re.compile(r"/messages$")) as refused:
        page.get_by_role("button", name="Envoyer").click()
    assert refused.value.status == 415
    expect(page.get_by_role("alert")).to_have_text("Seuls les fichiers JPG, PNG et PDF sont acceptés")
    problems_of(page).clear()  # the browser logs the 415 it was sent
    expect(page.get_by_role("textbox", name=re.compile("^Message"))).to_have_value(
        "Voici l'ordonnance, à bientôt."
    )
    assert len(api.get(f"/threads/{thread_id}/messages").json()["items"]) == 1  # nothing sent

    real = tmp_path / "ordonnance-vraie.pdf"
    real.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label(re.compile("^Pièces jointes")).set_input_files(str(real))
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Message envoyé.")).to_be_visible()
    link = page.get_by_role("link", name="ordonnance-vraie.pdf")
    expect(link).to_be_visible()
    downloaded = page.request.get(str(link.get_attribute("href")))
    assert downloaded.status == 200
    assert downloaded.body().startswith(b"%PDF-1.4")
    assert downloaded.headers["content-disposition"].startswith("attachment")


def test_writing_adding_and_leaving_work_as_plain_forms_without_javascript(
    new_context: NewContext, web_server: LiveServer, operator: tuple[Person, httpx.Client]
) -> None:
    hotline, api = operator
    emma, farid = professional(web_server), professional(web_server)
    context = new_context("phone", base_url=web_server.process.base_url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, emma.username)
    page.goto("/pro/messagerie/nouveau")
    page.get_by_label("Objet (facultatif)").fill("Sans script")
    page.get_by_role("textbox", name=re.compile("^Message")).fill("Texte tapé avant la recherche")
    page.get_by_label("Nom de la personne").fill("ab")
    page.get_by_role("button", name="Rechercher").click()  # posts the form: it comes back
    expect(page.get_by_text("Saisissez au moins 3 lettres du nom")).to_be_visible()
    page.get_by_label("Nom de la personne").fill(farid.name)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("checkbox", name=re.compile(farid.name, re.IGNORECASE)).check()
    page.get_by_label("Nom de la personne").fill(hotline.name)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("checkbox", name=re.compile(hotline.name, re.IGNORECASE)).check()
    # Farid, ticked before the second search, is still ticked; the text is still there.
    expect(page.get_by_role("checkbox", name=re.compile(farid.name, re.IGNORECASE))).to_be_checked()
    expect(page.get_by_role("textbox", name=re.compile("^Message"))).to_have_value(
        "Texte tapé avant la recherche"
    )
    page.get_by_role("button", name="Rédiger").click()
    expect(page.get_by_text("Conversation créée")).to_be_visible()
    thread_id = int(re.findall(r"/messagerie/(\d+)", page.url)[0])
    participants = {p["user_id"] for p in api.get(f"/threads/{thread_id}").json()["participants"]}
    assert participants == {emma.id, farid.id, hotline.id}

    page.get_by_role("textbox", name=re.compile("^Message")).fill("Deuxième, sans script")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Message envoyé.")).to_be_visible()
    expect(page.locator("#fil li.message")).to_have_count(2)
    # Phone first: nothing wider than the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")

    page.get_by_role("link", name="Quitter la conversation").click()
    page.get_by_role("button", name="Quitter la conversation").click()
    expect(page.get_by_text("Vous avez quitté la conversation.")).to_be_visible()
    response = api.post(f"/threads/{thread_id}/messages", json={"text": "après"})
    assert response.status_code == 201
    refused = page.request.post(
        f"/pro/messagerie/{thread_id}/messages",
        form={"texte": "encore", "csrf": csrf_of(page.content())},
    )
    assert refused.status == 403
    assert "quitté" in refused.text() or "participant" in refused.text()
