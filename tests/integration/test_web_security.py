"""The web app's HTTP-level rules against real servers (SQLite and PostgreSQL): cookies, CSRF,
access to another professional's patient, session expiry, the PIN and its slow-down."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import httpx
import pytest

from tests.integration.conftest import start_live
from tests.support.dispatch import Desk, place
from tests.support.live import LiveServer
from tests.support.web_pages import csrf_of, login_token, post_login, web_login

PRO = "/pro/"


def audit(server: LiveServer, action: str) -> list[dict[str, object]]:
    response = server.admin().get("/admin/audit", params={"action": action})
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = (
        response.json()["items"] if isinstance(response.json(), dict) else response.json()
    )
    return items


def nurse(server: LiveServer) -> tuple[dict[str, object], httpx.Client]:
    profile, _api = server.professional()
    return profile, web_login(server.process.base_url, str(profile["username"]))


def test_cookies_are_httponly_lax_and_scoped(clock_server: LiveServer) -> None:
    profile, _ = nurse(clock_server)
    client = httpx.Client(base_url=clock_server.process.base_url)
    answer = post_login(client, str(profile["username"]))
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("centrale_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/pro/"} <= flags
    assert "secure" not in flags  # plain http here; see the proxy test for TLS


def test_a_post_without_the_csrf_token_or_from_another_site_is_refused_and_audited(
    clock_server: LiveServer,
) -> None:
    _, client = nurse(clock_server)
    page = client.get("/pro/profil")
    assert page.status_code == 200
    token = csrf_of(page.text)
    refused = client.post("/pro/profil/statut", data={"statut": "visit"})
    assert refused.status_code == 403
    assert "jeton de sécurité" in refused.text
    assert "<html" in refused.text
    forged = client.post("/pro/profil/statut", data={"statut": "visit", "csrf": "x" * 43})
    assert forged.status_code == 403
    elsewhere = client.post(
        "/pro/profil/statut",
        data={"statut": "visit", "csrf": token},
        headers={"Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403
    reasons = [entry["detail"] for entry in audit(clock_server, "csrf_refused")]
    assert sum(1 for d in reasons if isinstance(d, dict) and d.get("reason") == "token") >= 2
    assert any(isinstance(d, dict) and d.get("reason") == "origin" for d in reasons)
    accepted = client.post("/pro/profil/statut", data={"statut": "visit", "csrf": token})
    assert accepted.status_code == 303, accepted.text
    header = client.post("/pro/profil/statut", data={"statut": "both"}, headers={"X-CSRF-Token": token})
    assert header.status_code == 303


def test_another_professionals_patient_is_refused_and_audited(clock_server: LiveServer) -> None:
    desk = Desk.open(clock_server)
    lat, lon = place()
    try:
        patient = desk.patient(lat, lon)
        carer = desk.responder(lat, lon, via_api=True)
        outsider_profile, outsider = nurse(clock_server)
        sent = desk.send_one(patient["id"])
        assert carer.client.post(f"/prescriptions/{sent['id']}/accept").status_code == 200
        for url in (f"/pro/soins/{sent['id']}", f"/pro/demandes/{sent['id']}"):
            answer = outsider.get(url)
            assert answer.status_code == 403, url
            assert patient["last_name"] not in answer.text
        refusals = [
            e for e in audit(clock_server, "forbidden") if e.get("user_id") == outsider_profile["user_id"]
        ]
        assert refusals
        assert all(str(e["path"]).startswith("/pro/") for e in refusals)
    finally:
        desk.close()


def test_an_ended_session_goes_back_to_the_login_never_a_500(clock_server: LiveServer) -> None:
    _, client = nurse(clock_server)
    assert client.get("/pro/tableau-de-bord").status_code == 200
    clock_server.advance(31 * 60)  # idle for longer than the 30 minutes allowed
    answer = client.get("/pro/tableau-de-bord")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/pro/?expiree=1&suite=/pro/tableau-de-bord"
    login = client.get(answer.headers["location"])
    assert login.status_code == 200
    assert "Session expirée" in login.text
    htmx = client.get("/pro/live/offres", headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"] == "/pro/?expiree=1"
    post = client.post("/pro/profil/statut", data={"statut": "both"})
    assert post.status_code == 303
    assert post.headers["location"] == "/pro/?expiree=1"


def _choose_pin(client: httpx.Client, pin: str) -> None:
    form = client.get("/pro/schema/choisir")
    answer = client.post(
        "/pro/schema/choisir",
        data={"csrf": csrf_of(form.text), "schema": pin, "confirmation": pin, "suite": ""},
    )
    assert answer.status_code == 303, answer.text


def _unlock(client: httpx.Client, pin: str) -> httpx.Response:
    page = client.get(PRO)
    assert "Saisir schéma" in page.text, page.text
    return client.post("/pro/schema", data={"jeton": login_token(page.text), "schema": pin, "suite": ""})


def test_the_pin_unlocks_a_trusted_device_and_four_wrong_ones_block_it(clock_server: LiveServer) -> None:
    _, client = nurse(clock_server)
    assert client.post("/pro/schema/choisir", data={"schema": "1111"}).status_code == 403  # no token
    _choose_pin(client, "4827")
    assert "centrale_device" in client.cookies
    logout = client.get("/pro/tableau-de-bord")
    assert client.post("/pro/deconnexion", data={"csrf": csrf_of(logout.text)}).status_code == 303
    assert client.get("/pro/tableau-de-bord").status_code == 303
    for attempt in range(3):
        wrong = _unlock(client, "0000")
        assert wrong.status_code == 401, attempt
        assert "Schéma incorrect" in wrong.text
    blocked = _unlock(client, "0000")
    assert blocked.status_code == 429
    assert "réessayez dans 30 s" in blocked.text
    assert _unlock(client, "4827").status_code == 429  # even the right one, while blocked
    clock_server.advance(31)
    opened = _unlock(client, "4827")
    assert opened.status_code == 303
    assert opened.headers["location"] == "/pro/tableau-de-bord"
    assert client.get("/pro/tableau-de-bord").status_code == 200
    # « Schéma oublié / Autre personne »: the password is asked again, the device forgotten.
    page = client.get("/pro/tableau-de-bord")
    page = client.post("/pro/deconnexion", data={"csrf": csrf_of(page.text)})
    pin_page = client.get(PRO)
    assert client.post("/pro/schema/oublie", data={"jeton": login_token(pin_page.text)}).status_code == 303
    login = client.get(PRO)
    assert "Connexion" in login.text
    assert "Saisir schéma" not in login.text


def test_only_professionals_log_in_and_failures_slow_down(clock_server: LiveServer) -> None:
    operator, _ = clock_server.user("operator")
    client = httpx.Client(base_url=clock_server.process.base_url)

    attempt = partial(post_login, client)
    refused = attempt(str(operator["username"]), "correct-horse-battery")
    assert refused.status_code == 401
    assert "réservée aux professionnels de santé" in refused.text
    for _ in range(3):
        assert "Identifiant ou mot de passe incorrect" in attempt("personne", "mauvais-mot-de-passe").text
    blocked = attempt("personne", "mauvais-mot-de-passe")
    assert blocked.status_code == 429
    assert "réessayez dans 30 s" in blocked.text
    no_token = client.post(f"{PRO}connexion", data={"identifiant": "x", "mot_de_passe": "y"})
    assert no_token.status_code == 403
    assert "Le formulaire a expiré" in no_token.text


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server told it sits behind a TLS-terminating proxy (CENTRALE_TRUSTED_PROXY=1)."""
    yield from start_live("sqlite", tmp_path_factory.mktemp("proxied"), CENTRALE_TRUSTED_PROXY="1")


def test_cookies_are_secure_behind_a_trusted_tls_proxy(proxied: LiveServer) -> None:
    profile, _ = proxied.professional()
    client = httpx.Client(base_url=proxied.process.base_url, headers={"X-Forwarded-Proto": "https"})
    page = client.get(PRO)
    login_cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith("centrale_login="))
    assert "secure" in login_cookie.lower()
    # httpx keeps a Secure cookie off plain http: given by hand, as the browser would over TLS.
    origin = f"https://127.0.0.1:{proxied.process.port}"
    answer = post_login(
        client, str(profile["username"]), headers={"Origin": origin, "Cookie": "centrale_login={token}"}
    )
    assert answer.status_code == 303, answer.text
    session = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("centrale_session="))
    assert "secure" in session.lower()
