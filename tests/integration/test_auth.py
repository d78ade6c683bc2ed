"""Login, tokens and the login slow-down, over HTTP on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.support.live import PASSWORD, LiveServer


def test_login_returns_token_and_user(server: LiveServer) -> None:
    network = server.network()
    user, _ = server.user("supervisor", [network])
    response = server.client().post("/auth/login", json={"username": user["username"], "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 40
    assert body["user"] == {
        "id": user["id"],
        "username": user["username"],
        "role": "supervisor",
        "display_name": "Supervisor de test",
        "network_ids": [network],
        "active": True,
        "practice": [],  # a secretary's doctors (issue 18: her « Service »); empty for other roles
    }
    expires = datetime.fromisoformat(body["expires_at"])
    now = datetime.fromisoformat(server.client().get("/test/clock").json()["now"])
    assert timedelta(hours=11, minutes=59) < expires - now <= timedelta(hours=12)


def test_me_and_logout_revokes_the_token(server: LiveServer) -> None:
    user, client = server.user("operator")
    assert client.get("/auth/me").json()["username"] == user["username"]
    assert client.post("/auth/logout").status_code == 204
    response = client.get("/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Session invalide : reconnectez-vous", "code": "token_invalid"}


def test_wrong_password_and_unknown_user_get_the_same_answer(server: LiveServer) -> None:
    user, _ = server.user("operator")
    wrong = server.client().post(
        "/auth/login", json={"username": user["username"], "password": "nope-nope-nope"}
    )
    unknown = server.client().post(
        "/auth/login", json={"username": "nobody-here", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "detail": "Identifiant ou mot de passe incorrect",
            "code": "bad_credentials",
        }
    )


def test_missing_and_garbage_tokens_are_refused(server: LiveServer) -> None:
    anonymous = server.client().get("/auth/me")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    garbage = server.client("not-a-real-token").get("/auth/me")
    assert garbage.status_code == 401
    assert garbage.json()["code"] == "token_invalid"


def test_deactivated_user_can_neither_log_in_nor_use_a_token(server: LiveServer) -> None:
    user, client = server.user("secretary")
    assert server.admin().patch(f"/admin/users/{user['id']}", json={"active": False}).status_code == 200
    assert client.get("/auth/me").json()["code"] == "user_inactive"
    login = server.client().post("/auth/login", json={"username": user["username"], "password": PASSWORD})
    assert login.status_code == 401


def test_username_is_case_insensitive_at_login(server: LiveServer) -> None:
    user, _ = server.user("operator")
    response = server.client().post(
        "/auth/login", json={"username": user["username"].upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
