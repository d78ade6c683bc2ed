"""Issue 17, item 7: a new password is refused when too common, equal to the username or built from
it or from the name (zxcvbn, with them as user inputs), wherever it is set — admin creation, the
command line; enrolment and reset use the same rule (server/security/passwords.py).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.live import PASSWORD, LiveServer, professional_body, unique

PERSONAL = "Le mot de passe ne doit pas reprendre votre identifiant, votre nom ou votre adresse e-mail"


def _refused(response: httpx.Response, code: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("motdepasse123", "password_guessable"),  # a common password and a number
        ("azertyuiop12", "password_guessable"),  # a keyboard run
        ("{username}", "password_personal"),  # the username itself
        ("{username}-2024!", "password_personal"),  # built from it
        ("Dupont1975!Dupont", "password_personal"),  # built from the name
    ],
)
def test_an_admin_cannot_create_an_account_with_a_weak_password(
    server: LiveServer, password: str, code: str
) -> None:
    username = unique("jdupont")
    body = {
        "username": username,
        "password": password.format(username=username),
        "role": "operator",
        "display_name": "Jean Dupont",
    }
    refused = _refused(server.admin().post("/admin/users", json=body), code)
    assert refused["field"] == "password"
    if code == "password_personal":
        assert refused["detail"] == PERSONAL
    else:
        assert refused["detail"].startswith("Ce mot de passe est trop courant ou trop facile à deviner")
    assert username not in [u["username"] for u in server.admin().get("/admin/users").json()]


def test_a_professional_account_gets_the_same_rule(server: LiveServer) -> None:
    body = professional_body()
    body["password"] = f"{body['last_name'].lower()}-{body['first_name'].lower()}"
    _refused(server.admin().post("/admin/professionals", json=body), "password_personal")


def test_the_command_line_refuses_a_weak_password(server: LiveServer) -> None:
    result = server.process.cli(
        "create-user",
        *("--username", unique("jdupont"), "--role", "operator", "--display-name", "Jean Dupont"),
        "--password-stdin",
        stdin="Dupont1975!Dupont\n",
    )
    assert result.returncode == 1
    assert PERSONAL in result.stderr
    common = server.process.cli(
        "create-user", "--username", unique("cli"), "--role", "operator", "--password", "motdepasse123"
    )
    assert common.returncode == 1
    assert "trop courant" in common.stderr
    fine = server.process.cli(
        "create-user", "--username", unique("cli"), "--role", "operator", "--password", PASSWORD
    )
    assert fine.returncode == 0, fine.stderr
