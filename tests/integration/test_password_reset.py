"""« Mot de passe oublié » (link by e-mail, code by SMS) and the team unblocking an account the
login throttle blocked, through a real server (SQLite and PostgreSQL) and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_enrolment import verified
from tests.support.enrolment import deliveries, last_sms_code, link_in, mails_to, start_enrolment_server
from tests.support.live import PASSWORD, LiveServer
from tests.support.mail_fixtures import SMTP_LOGIN, mail_pki  # noqa: F401 - the session's PKI fixture
from tests.support.smtp_server import Pki, SmtpServer, smtp_server

NEW_PASSWORD = "un-tout-nouveau-mot-de-passe"


@pytest.fixture(scope="module")
def mail(mail_pki: Pki) -> Iterator[SmtpServer]:  # noqa: F811
    with smtp_server(mail_pki, credentials=SMTP_LOGIN) as server:
        yield server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    mail: SmtpServer,
    mail_pki: Pki,  # noqa: F811
) -> Iterator[LiveServer]:
    yield from start_enrolment_server(
        request.param, tmp_path_factory.mktemp(f"reset-{request.param}"), mail, mail_pki
    )


def account(live: LiveServer, mail: SmtpServer) -> dict[str, Any]:
    """An approved professional (phone and e-mail verified at enrolment)."""
    fields, created = verified(live, mail)
    approved = live.admin().post(f"/admin/registrations/{created['id']}/approve")
    assert approved.status_code == 200, approved.text
    return {**fields, "username": approved.json()["username"], "user_id": approved.json()["user_id"]}


def test_reset_by_email_link_revokes_every_session(live: LiveServer, mail: SmtpServer) -> None:
    pro = account(live, mail)
    old_token = live.login(pro["username"])
    client = live.client()
    answer = client.post("/password-reset", json={"login": pro["email"], "channel": "email"})
    nobody = client.post("/password-reset", json={"login": "personne@example.org", "channel": "email"})
    assert answer.status_code == nobody.status_code == 202
    assert answer.json() == nobody.json()  # the same words whether or not the account exists
    # The address received: its verification link, the approval, and now the reset link.
    link = link_in(mails_to(mail, pro["email"], count=3)[-1])
    assert "/pro/mot-de-passe/nouveau?jeton=" in link
    token = link.split("jeton=", 1)[1]
    assert (
        client.post("/password-reset/confirm", json={"token": token, "password": "court"}).status_code == 422
    )
    done = client.post("/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert done.json() == {"username": pro["username"]}
    assert live.client(old_token).get("/auth/me").status_code == 401  # every session ended
    used = client.post("/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert used.status_code == 422  # single use
    assert live.login(pro["username"], NEW_PASSWORD)


def test_reset_by_sms_code(live: LiveServer, mail: SmtpServer) -> None:
    pro = account(live, mail)
    client = live.client()
    answer = client.post("/password-reset", json={"login": pro["phone"], "channel": "sms"})
    unknown = client.post("/password-reset", json={"login": "+33699999999", "channel": "sms"})
    assert answer.status_code == unknown.status_code == 202
    assert answer.json().keys() == unknown.json().keys()
    assert answer.json()["message"] == unknown.json()["message"]
    ticket = answer.json()["ticket"]
    code = last_sms_code(live, pro["phone"])
    assert "mot de passe" in deliveries(live, "sms", pro["phone"])[-1]
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(
        "/password-reset/confirm", json={"ticket": ticket, "code": wrong, "password": NEW_PASSWORD}
    )
    assert refused.status_code == 422
    assert refused.json()["tries_left"] == 4
    stranger = client.post(
        "/password-reset/confirm",
        json={"ticket": unknown.json()["ticket"], "code": code, "password": NEW_PASSWORD},
    )
    assert stranger.status_code == 422
    ok = client.post(
        "/password-reset/confirm", json={"ticket": ticket, "code": code, "password": NEW_PASSWORD}
    )
    assert ok.status_code == 200, ok.text
    assert live.login(pro["username"], NEW_PASSWORD)


def test_the_team_unblocks_a_blocked_account(live: LiveServer, mail: SmtpServer) -> None:
    pro, _client = live.professional()
    client = live.client()
    for _ in range(4):
        client.post("/auth/login", json={"username": pro["username"], "password": "mauvais-mot-de-passe"})
    blocked = client.post("/auth/login", json={"username": pro["username"], "password": PASSWORD})
    assert blocked.status_code == 429
    _operator, operator = live.user("operator")
    assert operator.post(f"/admin/users/{pro['user_id']}/unblock").status_code == 403
    unblocked = live.admin().post(f"/admin/users/{pro['user_id']}/unblock")
    assert unblocked.status_code == 200, unblocked.text
    assert unblocked.json() == {"user_id": pro["user_id"], "username": pro["username"], "was_blocked": True}
    assert live.login(pro["username"])
    audit = live.admin().get("/admin/audit", params={"action": "login_unblock"}).json()
    assert any(e["detail"].get("target_user_id") == pro["user_id"] for e in audit)
    refusals = live.admin().get("/admin/audit", params={"action": "forbidden", "limit": 1000}).json()
    assert any(e["path"].endswith(f"/users/{pro['user_id']}/unblock") for e in refusals)
