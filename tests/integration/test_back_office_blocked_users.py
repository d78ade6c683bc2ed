"""« Utilisateurs » of the back office shows who the login throttle blocks now, and until when;
the team's « Débloquer » lifts it (real server processes, SQLite and PostgreSQL, audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event, text

from server.db import Database
from server.services import admin_user_list, admin_users
from shared.schemas.back_office import AdminUserOut
from tests.support.live import PASSWORD, LiveServer

WRONG = "mauvais-mot-de-passe"


def _listed(admin: httpx.Client, username: str) -> dict[str, Any]:
    response = admin.get("/admin/users", params={"q": username})
    assert response.status_code == 200, response.text
    found = [u for u in response.json() if u["username"] == username]
    assert len(found) == 1, response.json()
    row: dict[str, Any] = found[0]
    return row


def _fail(server: LiveServer, username: str, times: int) -> list[int]:
    client = server.client()
    answers = [
        client.post("/auth/login", json={"username": username, "password": WRONG}) for _ in range(times)
    ]
    return [a.status_code for a in answers]


def test_the_list_shows_the_block_and_unblock_clears_it(server: LiveServer) -> None:
    admin = server.admin()
    blocked_user, _ = server.user("secretary")
    spared_user, _ = server.user("secretary")
    name = blocked_user["username"]
    assert _listed(admin, name)["blocked_until"] is None

    assert _fail(server, spared_user["username"], 3) == [401] * 3  # one short of a block
    assert _fail(server, name, 3) == [401] * 3
    assert _listed(admin, name)["blocked_until"] is None
    before = datetime.now(UTC)
    assert _fail(server, name, 1) == [429]  # the 4th wrong password: blocked for 30 s
    refused = server.client().post("/auth/login", json={"username": name, "password": PASSWORD})
    assert refused.status_code == 429, refused.text

    row = _listed(admin, name)
    until = datetime.fromisoformat(row["blocked_until"])
    assert until.tzinfo is not None
    assert before + timedelta(seconds=25) <= until <= datetime.now(UTC) + timedelta(seconds=35)
    assert {k: row[k] for k in ("id", "role", "active")} == {
        "id": blocked_user["id"],
        "role": "secretary",
        "active": True,
    }
    assert _listed(admin, spared_user["username"])["blocked_until"] is None
    # The whole page carries the field; only the blocked user has a value.
    page = admin.get("/admin/users", params={"role": "secretary"}).json()
    assert all("blocked_until" in u for u in page)
    assert [u["username"] for u in page if u["blocked_until"]].count(name) == 1

    unblocked = admin.post(f"/admin/users/{blocked_user['id']}/unblock")
    assert unblocked.status_code == 200, unblocked.text
    assert unblocked.json() == {"user_id": blocked_user["id"], "username": name, "was_blocked": True}
    assert _listed(admin, name)["blocked_until"] is None
    assert server.login(name)

    trail = admin.get("/admin/audit", params={"action": "login_unblock", "limit": 1000}).json()
    mine = [e for e in trail if e["detail"].get("target_user_id") == blocked_user["id"]]
    assert len(mine) == 1
    assert mine[0]["detail"]["was_blocked"] is True
    assert mine[0]["username"] != name  # done by the administrator, not by the user


def test_the_blocks_are_read_in_the_pages_own_query(server: LiveServer) -> None:
    """The blocks come with the page's SELECT of users: no query per user, whatever the page's size
    (the users' networks and profiles are loaded once per page, as before)."""
    users = [server.user("operator")[0] for _ in range(3)]
    for user in users[:2]:
        assert _fail(server, user["username"], 4)[-1] == 429
    db = Database(server.database_url)
    with db.engine.connect() as warm:  # the dialect's own first queries are not the page's
        warm.execute(text("SELECT 1"))
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def page_of(limit: int) -> tuple[list[AdminUserOut], list[str]]:
        statements.clear()
        with db.session() as session:
            found = admin_user_list.page(session, admin_users.search_query(), datetime.now(UTC), limit, 0)
        return found, [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        one, one_selects = page_of(1)
        every, every_selects = page_of(5000)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        db.dispose()
    assert len(one) == 1
    assert len(every) >= 4  # the administrator and the three above, at least
    assert len(every_selects) == len(one_selects)
    throttle = [s for s in every_selects if "login_counters" in s]
    assert len(throttle) == 1
    assert "FROM users" in throttle[0]
    blocked = {u.username for u in every if u.blocked_until is not None}
    assert {u["username"] for u in users[:2]} <= blocked
    assert users[2]["username"] not in blocked


def test_the_list_and_unblock_are_refused_to_other_roles_and_audited(server: LiveServer) -> None:
    target, _ = server.user("operator")
    supervisor, client = server.user("supervisor")
    assert client.get("/admin/users").status_code == 403
    refused = client.post(f"/admin/users/{target['id']}/unblock")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Accès refusé pour votre rôle", "code": "forbidden"}
    trail = server.admin().get(
        "/admin/audit", params={"action": "forbidden", "user_id": supervisor["id"], "limit": 100}
    )
    paths = [(e["method"], e["path"]) for e in trail.json()]
    assert ("GET", "/api/v1/admin/users") in paths
    assert ("POST", f"/api/v1/admin/users/{target['id']}/unblock") in paths


def test_unblocking_an_unknown_user_is_a_french_404(server: LiveServer) -> None:
    response = server.admin().post("/admin/users/999999999/unblock")
    assert response.status_code == 404, response.text
    assert "Utilisateur" in response.json()["detail"]
