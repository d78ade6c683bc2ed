"""Everything that needs the server's clock to move: token expiry and the login slow-down."""

from __future__ import annotations

import httpx

from tests.support.live import PASSWORD, LiveServer


def _fail(server: LiveServer, username: str) -> httpx.Response:
    return server.client().post("/auth/login", json={"username": username, "password": "wrong-password!"})


def test_token_expires_after_twelve_hours(clock_server: LiveServer) -> None:
    user, client = clock_server.user("operator")
    assert client.get("/auth/me").status_code == 200
    clock_server.advance(11 * 3600)
    assert client.get("/auth/me").status_code == 200
    clock_server.advance(3600 + 1)
    response = client.get("/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Session expirée : reconnectez-vous", "code": "token_expired"}
    # Logging in again gives a working token.
    assert clock_server.client(clock_server.login(user["username"])).get("/auth/me").status_code == 200


def test_four_failures_block_thirty_seconds_then_sixty(clock_server: LiveServer) -> None:
    user, _ = clock_server.user("operator")
    name = user["username"]
    for _ in range(3):
        assert _fail(clock_server, name).status_code == 401
    fourth = _fail(clock_server, name)
    assert fourth.status_code == 429
    assert fourth.headers["retry-after"] == "30"
    assert fourth.json()["detail"] == "Trop d'essais infructueux : réessayez dans 30 s"
    # Even the right password is refused while blocked.
    blocked = clock_server.client().post("/auth/login", json={"username": name, "password": PASSWORD})
    assert blocked.status_code == 429
    clock_server.advance(31)
    for _ in range(3):
        assert _fail(clock_server, name).status_code == 401
    second_block = _fail(clock_server, name)
    assert second_block.status_code == 429
    assert second_block.headers["retry-after"] == "60"
    clock_server.advance(61)
    # A success resets the counters: three new failures do not block.
    assert (
        clock_server.client().post("/auth/login", json={"username": name, "password": PASSWORD}).status_code
        == 200
    )
    for _ in range(3):
        assert _fail(clock_server, name).status_code == 401
    assert (
        clock_server.client().post("/auth/login", json={"username": name, "password": PASSWORD}).status_code
        == 200
    )


def test_unknown_usernames_are_throttled_too(clock_server: LiveServer) -> None:
    statuses = [_fail(clock_server, "ghost-user").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_failed_logins_are_audited(clock_server: LiveServer) -> None:
    _fail(clock_server, "audited-ghost")
    entries = clock_server.admin().get("/admin/audit", params={"action": "login_failed"}).json()
    assert any(e["username"] == "audited-ghost" and e["status"] == 401 for e in entries)


def test_clock_advance_validates_its_body(clock_server: LiveServer) -> None:
    response = clock_server.client().post("/test/clock/advance", json={"seconds": -5})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "seconds"
