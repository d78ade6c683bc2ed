"""Issue 18, also seen: a practice secretary's « Service » is her practice. Login and « /auth/me »
name her professionals (``practice``), which the desktop shows as the caller's « Service »; other
roles carry none. Real server processes, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx

from desktop.state.wizard.wizard import PLATFORM_SERVICE, Operator, Wizard
from shared.schemas.auth import UserOut
from tests.support.live import PASSWORD, LiveServer


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_a_secretary_learns_her_practice_at_login_and_from_me(server: LiveServer) -> None:
    admin = server.admin()
    doctor, _ = server.professional(profession_code="10", last_name="Martin", first_name="Claire")
    other, _ = server.professional(profession_code="10", last_name="Bernard", first_name="Luc")
    secretary, as_secretary = server.user("secretary")
    operator, as_operator = server.user("operator")
    assert _ok(as_secretary.get("/auth/me"))["practice"] == []  # nobody yet: the platform's name
    path = f"/admin/users/{secretary['id']}/practice"
    _ok(admin.put(path, json={"professional_ids": [doctor["user_id"]]}))

    login = _ok(
        server.client().post("/auth/login", json={"username": secretary["username"], "password": PASSWORD})
    )
    names = login["user"]["practice"]
    assert len(names) == 1
    assert "MARTIN" in names[0]
    assert _ok(as_secretary.get("/auth/me"))["practice"] == names
    assert Operator.of(UserOut.model_validate(login["user"])).service == f"Cabinet du Dr {names[0]}"

    _ok(admin.put(path, json={"professional_ids": [doctor["user_id"], other["user_id"]]}))
    me = UserOut.model_validate(_ok(as_secretary.get("/auth/me")))
    assert len(me.practice) == 2
    wizard = Wizard.from_dashboard(Operator.of(me))
    assert wizard.caller.service.startswith("Cabinet des Dr ")
    assert "MARTIN" in wizard.caller.service
    assert "BERNARD" in wizard.caller.service
    assert PLATFORM_SERVICE not in wizard.caller.service

    hotline = UserOut.model_validate(_ok(as_operator.get("/auth/me")))
    assert hotline.practice == []
    assert Wizard.from_dashboard(Operator.of(hotline)).caller.service == PLATFORM_SERVICE
    assert operator["role"] == "operator"
