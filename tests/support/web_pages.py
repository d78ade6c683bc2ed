"""Helpers of the web app's tests (tests/browser, tests/integration/test_web_*, bench/web_*):
logging a professional in through the pages, and the hotline's side through the API (tests.support
.dispatch's Desk) to send them offers.

Every scene works at a place of its own (tests.support.dispatch.place), so the professionals of
one test are never offered another test's cases on a shared server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.support.dispatch import Desk, Responder, place
from tests.support.live import PASSWORD, LiveServer

PRO = "/pro/"


def log_in(page: Page, username: str, password: str = PASSWORD, *, pin: str | None = None) -> None:
    """Through the login page; then chooses the PIN (`pin`) or « Plus tard »; on the dashboard."""
    page.goto(PRO)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Choisir un schéma")).to_be_visible()
    if pin is None:
        page.get_by_role("link", name="Plus tard").click()
    else:
        page.get_by_label("Schéma (code de 4 à 8 chiffres)").fill(pin)
        page.get_by_label("Confirmer le schéma").fill(pin)
        page.get_by_role("button", name="Enregistrer le schéma").click()
    expect(page.get_by_role("heading", name="Tableau de bord", exact=True)).to_be_visible()


def login_token(html: str) -> str:
    """The double-submit token of a page shown before the session (login, PIN)."""
    found = re.search(r'name="jeton" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def post_login(
    client: httpx.Client, username: str, password: str = PASSWORD, headers: dict[str, str] | None = None
) -> httpx.Response:
    """The login form, read then posted (the answer is not followed)."""
    token = login_token(client.get(PRO).text)
    data = {"jeton": token, "identifiant": username, "mot_de_passe": password, "suite": ""}
    sent = dict(headers or {})
    if "Cookie" in sent:
        sent["Cookie"] = sent["Cookie"].format(token=token)
    return client.post(f"{PRO}connexion", data=data, headers=sent)


def web_login(base_url: str, username: str, password: str = PASSWORD) -> httpx.Client:
    """An httpx client logged in through the pages (its cookies hold the session)."""
    client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
    response = post_login(client, username, password)
    assert response.status_code == 303, response.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "pas de jeton CSRF dans la page"
    return found.group(1)


@dataclass
class Scene:
    """A hotline, a patient and nurses around them, at a place of their own."""

    desk: Desk
    lat: float
    lon: float
    patient: dict[str, Any]

    @classmethod
    def open(cls, server: LiveServer, **patient: Any) -> Scene:
        desk = Desk.open(server)
        lat, lon = place()
        return cls(desk, lat, lon, desk.patient(lat, lon, **patient))

    def nurse(self, **overrides: Any) -> Responder:
        """A nurse practising at the patient's place, who logs in with tests.support.live.PASSWORD."""
        return self.desk.responder(self.lat, self.lon, via_api=True, **overrides)

    def send(self, **overrides: Any) -> int:
        """The hotline sends one prescription for the patient; its id."""
        return int(self.desk.send_one(self.patient["id"], **overrides)["id"])

    def close(self) -> None:
        self.desk.close()
