"""Issue 17, item 1 — the probe « reset a secretary's password, log in as her, read a patient » as a
test, on real server processes (SQLite and PostgreSQL): an admin's reset never leaves the admin
knowing a usable password, ends every session of the user at once, and the audit names the admin;
the user chooses her password with a one-time link. A creation without a password works the same."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support.enrolment import deliveries
from tests.support.live import PASSWORD, LiveServer, unique

CHOSEN = "un-mot-de-passe-choisi-par-elle"
ADMIN_GUESS = "le-mot-de-passe-de-l-admin"
TOKEN = re.compile(r"jeton=([A-Za-z0-9_-]+)")


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _logs_in(server: LiveServer, username: str, password: str) -> int:
    answer = server.client().post("/auth/login", json={"username": username, "password": password})
    return answer.status_code


def _audit(admin: httpx.Client, action: str) -> list[dict[str, Any]]:
    return list(_ok(admin.get("/admin/audit", params={"action": action, "limit": 1000})))


def test_an_admin_reset_leaves_no_usable_password_and_names_the_admin(server: LiveServer) -> None:
    admin = server.admin()
    admin_id = _ok(admin.get("/auth/me"))["id"]
    secretary, as_secretary = server.user("secretary")
    assert as_secretary.get("/auth/me").status_code == 200

    # The old way is closed: an admin cannot choose the password any more (nothing changes).
    refused = admin.patch(f"/admin/users/{secretary['id']}", json={"password": ADMIN_GUESS})
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "password_not_settable"
    assert "Réinitialiser le mot de passe" in refused.json()["detail"]
    assert as_secretary.get("/auth/me").status_code == 200

    issued = _ok(admin.post(f"/admin/users/{secretary['id']}/password-reset"))
    # No e-mail and no phone on this account: the link is shown once, to hand over in person.
    assert issued["channel"] == "handover"
    assert "/pro/mot-de-passe/nouveau?jeton=" in issued["link"]
    assert "une seule fois" in issued["message"]

    # Every session of hers ended at once; no password the admin knows (or she had) works.
    assert as_secretary.get("/auth/me").status_code == 401
    for password in (PASSWORD, ADMIN_GUESS, CHOSEN, ""):
        assert _logs_in(server, secretary["username"], password) in (401, 422)

    # The audit names the admin who reset whom, never a secret.
    [entry] = [
        e
        for e in _audit(admin, "admin_user_password_reset")
        if e["detail"]["target_user_id"] == secretary["id"]
    ]
    assert entry["user_id"] == admin_id
    assert entry["detail"]["target"] == secretary["username"]
    assert entry["detail"]["channel"] == "handover"
    assert entry["detail"]["sessions_ended"] is True
    token = TOKEN.search(issued["link"])
    assert token is not None
    assert token.group(1) not in str(entry)

    # She chooses her password with the link, once.
    client = server.client()
    assert _ok(client.post("/password-reset/confirm", json={"token": token.group(1), "password": CHOSEN}))
    assert server.login(secretary["username"], CHOSEN)
    again = client.post("/password-reset/confirm", json={"token": token.group(1), "password": ADMIN_GUESS})
    assert again.status_code == 422
    assert _logs_in(server, secretary["username"], ADMIN_GUESS) == 401


def test_a_reset_sends_the_link_to_the_users_own_mailbox(server: LiveServer) -> None:
    admin = server.admin()
    address = f"{unique('sec')}@cabinet.example.org"
    body = {
        "username": unique("sec"),
        "role": "secretary",
        "display_name": "Secrétaire Mail",
        "email": address,
    }
    created = _ok(admin.post("/admin/users", json=body), 201)
    # Created without a password: her own link went to her mailbox, the admin sees none.
    assert created["password_link"]["channel"] == "email"
    assert created["password_link"].get("link") is None
    assert _logs_in(server, body["username"], PASSWORD) == 401
    first = TOKEN.search(deliveries(server, "email", address)[-1])
    assert first is not None
    assert _ok(
        server.client().post("/password-reset/confirm", json={"token": first.group(1), "password": CHOSEN})
    )
    old_token = server.login(body["username"], CHOSEN)

    issued = _ok(admin.post(f"/admin/users/{created['id']}/password-reset"))
    assert (issued["channel"], issued["link"]) == ("email", None)
    assert server.client(old_token).get("/auth/me").status_code == 401
    assert _logs_in(server, body["username"], CHOSEN) == 401
    texts = deliveries(server, "email", address)
    assert len(texts) == 2
    second = TOKEN.search(texts[-1])
    assert second is not None
    assert second.group(1) != first.group(1)

    [creation] = [
        e for e in _audit(admin, "admin_user_create") if e["detail"]["target_user_id"] == created["id"]
    ]
    assert creation["detail"]["password_source"] == "link_email"
    assert creation["username"] != body["username"]  # the admin, not the account


def test_role_and_network_changes_are_audited_with_the_admin(server: LiveServer) -> None:
    admin = server.admin()
    admin_id = _ok(admin.get("/auth/me"))["id"]
    network = server.network()
    user, _ = server.user("operator")
    _ok(admin.patch(f"/admin/users/{user['id']}", json={"role": "supervisor", "network_ids": [network]}))
    [entry] = [e for e in _audit(admin, "admin_user_update") if e["detail"]["target_user_id"] == user["id"]]
    assert entry["user_id"] == admin_id
    assert entry["detail"]["changes"] == {"role": ["operator", "supervisor"], "network_ids": [[], [network]]}
