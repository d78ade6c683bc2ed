"""Administration over HTTP: users, networks, responder accounts, and who may call these routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.validation import validate_rpps
from tests.support.live import PASSWORD, LiveServer, professional_body, rpps_with_key, unique

NEW_PASSWORD = "another-long-password"


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def _wrong_key(rpps: str) -> str:
    """The same RPPS with a wrong Luhn check digit."""
    return rpps[:10] + str((int(rpps[10]) + 1) % 10)


# Users ---------------------------------------------------------------------------------------


def test_create_read_list_and_patch_a_user(server: LiveServer) -> None:
    admin = server.admin()
    first, second = server.network(), server.network()
    username = unique("oper")
    created = admin.post(
        "/admin/users",
        json={
            "username": username,
            "password": PASSWORD,
            "role": "operator",
            "display_name": "Opératrice Martine",
            "network_ids": [first],
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user == {
        "id": user["id"],
        "username": username,
        "role": "operator",
        "display_name": "Opératrice Martine",
        "network_ids": [first],
        "active": True,
        "practice": [],  # a practice secretary's professionals (issue 17, item 16); none for others
    }
    assert "password" not in created.text
    assert PASSWORD not in created.text
    assert admin.get(f"/admin/users/{user['id']}").json() == user
    listed = admin.get("/admin/users", params={"role": "operator"}).json()
    # The back office's list (issue 17) adds `blocked_until`: the user's own fields, unblocked.
    assert {**user, "blocked_until": None} in listed
    assert all(u["role"] == "operator" for u in listed)
    assert user["id"] not in [u["id"] for u in admin.get("/admin/users", params={"role": "admin"}).json()]

    patched = admin.patch(
        f"/admin/users/{user['id']}",
        json={"display_name": "Martine R.", "network_ids": [second]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json() == {**user, "display_name": "Martine R.", "network_ids": [second]}
    assert admin.get(f"/admin/users/{user['id']}").json()["network_ids"] == [second]
    # An admin resets (issue 17): the user chooses the new password with her one-time link.
    link = admin.post(f"/admin/users/{user['id']}/password-reset").json()["link"]
    chosen = {"token": link.split("jeton=", 1)[1], "password": NEW_PASSWORD}
    assert server.client().post("/password-reset/confirm", json=chosen).status_code == 200
    # The old password no longer works, the new one does.
    old = server.client().post("/auth/login", json={"username": username, "password": PASSWORD})
    assert old.status_code == 401
    me = server.client(server.login(username, NEW_PASSWORD)).get("/auth/me").json()
    assert me["display_name"] == "Martine R."

    off = admin.patch(f"/admin/users/{user['id']}", json={"active": False})
    assert off.status_code == 200
    assert off.json()["active"] is False
    assert admin.get(f"/admin/users/{user['id']}").json()["active"] is False
    refused = server.client().post("/auth/login", json={"username": username, "password": NEW_PASSWORD})
    assert refused.status_code == 401


def test_user_errors(server: LiveServer) -> None:
    admin = server.admin()
    user, _ = server.user("secretary")
    body = {"username": user["username"], "password": PASSWORD, "role": "operator", "display_name": "X"}
    taken = _error(admin.post("/admin/users", json=body), 409, "username_taken")
    assert taken["detail"] == f"L'identifiant « {user['username']} » est déjà pris"

    pro = {**body, "username": unique("pro"), "role": "professional"}
    refused = _error(admin.post("/admin/users", json=pro), 422, "use_professional_route")
    assert refused["detail"] == "Un professionnel se crée par /api/v1/admin/professionals"
    assert admin.get("/admin/users", params={"role": "professional"}).status_code == 200
    assert pro["username"] not in [u["username"] for u in admin.get("/admin/users").json()]

    ghost = {**body, "username": unique("oper"), "network_ids": [999_999]}
    unknown = _error(admin.post("/admin/users", json=ghost), 422, "network_unknown")
    assert unknown["detail"] == "Réseau inconnu : 999999"
    patch = admin.patch(f"/admin/users/{user['id']}", json={"network_ids": [999_998]})
    unknown = _error(patch, 422, "network_unknown")
    assert unknown["detail"] == "Réseau inconnu : 999998"

    bad_role = _error(admin.post("/admin/users", json={**body, "role": "boss"}), 422, "enum")
    assert bad_role["errors"][0]["field"] == "role"
    short = admin.post("/admin/users", json={**body, "username": unique("oper"), "password": "short"})
    assert _error(short, 422, "string_too_short")["errors"][0]["field"] == "password"

    missing = _error(admin.get("/admin/users/999999"), 404, "not_found")
    assert missing["detail"] == "Utilisateur introuvable"
    assert _error(admin.patch("/admin/users/999999", json={"active": True}), 404, "not_found")


# Networks ------------------------------------------------------------------------------------


def test_networks(server: LiveServer) -> None:
    admin = server.admin()
    name = unique("CPTS Étampes ")
    created = admin.post("/admin/networks", json={"name": name})
    assert created.status_code == 201, created.text
    network = created.json()
    assert network == {"id": network["id"], "name": name}
    for variant in (name, name.upper(), name.lower(), f"  {name}  "):
        duplicate = _error(admin.post("/admin/networks", json={"name": variant}), 409, "network_exists")
        assert duplicate["detail"] == f"Le réseau « {variant.strip()} » existe déjà"
    _, operator = server.user("operator")
    listed = operator.get("/networks")
    assert listed.status_code == 200
    assert network in listed.json()
    assert [n for n in listed.json() if n["name"].lower() == name.lower()] == [network]
    too_short = _error(admin.post("/admin/networks", json={"name": "A"}), 422, "string_too_short")
    assert too_short["errors"][0]["field"] == "name"


# Responder accounts --------------------------------------------------------------------------


def test_create_list_and_read_a_professional(server: LiveServer) -> None:
    admin = server.admin()
    network = server.network()
    windows = [
        {"weekday": 0, "start": "08:00", "end": "12:30"},
        {"weekday": 0, "start": "14:00", "end": "24:00"},
        {"weekday": 5, "start": "00:00", "end": "10:00"},
    ]
    body = professional_body(
        profession_code="10",
        specialty_code="SM54",
        last_name="Le Goff",
        first_name="Anne-Sophie",
        phone="06 12 34 56 78",
        commune_insee="91228",
        commune_name="Évry-Courcouronnes",
        postal_code="91000",
        radius_km=25.5,
        availability="visit",
        network_ids=[network],
        notification_windows=windows,
        timezone="America/Cayenne",
    )
    created = admin.post("/admin/professionals", json=body)
    assert created.status_code == 201, created.text
    pro = created.json()
    assert pro == {
        "user_id": pro["user_id"],
        "username": body["username"],
        "active": True,
        "rpps": body["rpps"],
        "last_name": "Le Goff",
        "first_name": "Anne-Sophie",
        "profession_code": "10",
        "profession": "Médecin",
        "specialty_code": "SM54",
        "phone": "+33612345678",
        "commune_insee": "91228",
        "commune_name": "Évry-Courcouronnes",
        "postal_code": "91000",
        "latitude": 48.629,
        "longitude": 2.44,
        "radius_km": 25.5,
        "availability": "visit",
        "unavailable_until": None,
        "timezone": "America/Cayenne",
        "network_ids": [network],
        "notification_windows": windows,
        "webhook_url": None,
    }
    assert admin.get(f"/admin/professionals/{pro['user_id']}").json() == pro
    doctors = admin.get("/admin/professionals", params={"profession": "10", "limit": 1000}).json()
    assert pro in doctors
    assert {p["profession_code"] for p in doctors} == {"10"}
    nurses = admin.get("/admin/professionals", params={"profession": "60", "limit": 1000}).json()
    assert pro["user_id"] not in [p["user_id"] for p in nurses]
    # The account is a professional user who can log in, named after the responder.
    account = admin.get(f"/admin/users/{pro['user_id']}").json()
    assert account["role"] == "professional"
    assert account["display_name"] == "LE GOFF Anne-Sophie"
    assert server.client(server.login(body["username"])).get("/auth/me").json()["id"] == pro["user_id"]
    missing = _error(admin.get("/admin/professionals/999999"), 404, "not_found")
    assert missing["detail"] == "Professionnel introuvable"


def test_patch_a_professional(server: LiveServer) -> None:
    admin = server.admin()
    first, second = server.network(), server.network()
    pro, client = server.professional(
        network_ids=[first], notification_windows=[{"weekday": 1, "start": "08:00", "end": "18:00"}]
    )
    url = f"/admin/professionals/{pro['user_id']}"
    naive = admin.patch(url, json={"availability": "unavailable", "unavailable_until": "2030-01-01T10:00:00"})
    assert _error(naive, 422, "timezone_aware")["errors"][0] == {
        "field": "unavailable_until",
        "message": "date et heure avec fuseau horaire attendues",
        "code": "timezone_aware",
    }
    windows = [{"weekday": 6, "start": "09:00", "end": "11:00"}]
    patched = admin.patch(
        url,
        json={
            "availability": "unavailable",
            "unavailable_until": "2030-01-01T10:00:00+01:00",
            "notification_windows": windows,
            "network_ids": [second],
            "radius_km": 3,
        },
    )
    assert patched.status_code == 200, patched.text
    expected = {
        **pro,
        "availability": "unavailable",
        "notification_windows": windows,
        "network_ids": [second],
        "radius_km": 3.0,
    }
    body = patched.json()
    until = datetime(2030, 1, 1, 9, tzinfo=UTC)
    assert datetime.fromisoformat(body.pop("unavailable_until")) == until
    assert body == {k: v for k, v in expected.items() if k != "unavailable_until"}
    again = admin.get(url).json()
    assert datetime.fromisoformat(again["unavailable_until"]) == until
    assert again["availability"] == "unavailable"
    assert again["notification_windows"] == windows
    assert again["network_ids"] == [second]
    assert admin.get(f"/admin/users/{pro['user_id']}").json()["network_ids"] == [second]

    back = admin.patch(
        url, json={"availability": "both", "unavailable_until": None, "notification_windows": []}
    )
    assert back.status_code == 200
    assert (back.json()["availability"], back.json()["unavailable_until"]) == ("both", None)
    assert back.json()["notification_windows"] == []

    hooked = admin.patch(url, json={"webhook_url": "https://example.org/hook", "phone": "0612345678"})
    assert (hooked.json()["webhook_url"], hooked.json()["phone"]) == (
        "https://example.org/hook",
        "+33612345678",
    )
    cleared = admin.patch(url, json={"webhook_url": None, "phone": None})
    assert (cleared.json()["webhook_url"], cleared.json()["phone"]) == (None, None)
    assert admin.get(url).json()["webhook_url"] is None
    assert _error(admin.patch(url, json={"network_ids": [999_997]}), 422, "network_unknown")
    assert admin.get(url).json()["network_ids"] == [second]

    off = admin.patch(url, json={"active": False})
    assert off.status_code == 200
    assert off.json()["active"] is False
    assert client.get("/auth/me").json()["code"] == "user_inactive"
    login = server.client().post("/auth/login", json={"username": pro["username"], "password": PASSWORD})
    assert login.status_code == 401
    assert _error(admin.patch("/admin/professionals/999999", json={"radius_km": 2}), 404, "not_found")


def test_professional_identifiers_are_checked(server: LiveServer) -> None:
    admin = server.admin()
    rpps = rpps_with_key(123_456_789)
    with pytest.raises(ValueError, match="clé de contrôle") as raised:
        validate_rpps(_wrong_key(rpps))
    bad_key = admin.post("/admin/professionals", json=professional_body(rpps=_wrong_key(rpps)))
    wrong = _error(bad_key, 422, "rpps_key_invalid")
    assert wrong["errors"][0] == {"field": "rpps", "message": str(raised.value), "code": "rpps_key_invalid"}
    assert str(raised.value) in wrong["detail"]
    short = admin.post("/admin/professionals", json=professional_body(rpps="1234"))
    assert (
        _error(short, 422, "rpps_format")["errors"][0]["message"]
        == "Le numéro RPPS doit comporter 11 chiffres"
    )

    pro, _ = server.professional()
    again = professional_body(rpps=pro["rpps"])
    taken = _error(admin.post("/admin/professionals", json=again), 409, "rpps_taken")
    assert taken["detail"] == f"Le RPPS {pro['rpps']} a déjà un compte"
    # Nothing was created under the new username.
    assert again["username"] not in [u["username"] for u in admin.get("/admin/users").json()]
    same_user = professional_body(username=pro["username"])
    assert _error(admin.post("/admin/professionals", json=same_user), 409, "username_taken")

    bad_code = admin.post("/admin/professionals", json=professional_body(profession_code="99"))
    unknown = _error(bad_code, 422, "profession_unknown")
    assert unknown["errors"][0]["message"] == "Code profession inconnu : « 99 »"


@pytest.mark.parametrize(
    ("override", "code", "message"),
    [
        (
            {"notification_windows": [{"weekday": 2, "start": "18:00", "end": "08:00"}]},
            "window_order",
            "La plage horaire doit finir après son début (utilisez 24:00 pour minuit)",
        ),
        (
            {"notification_windows": [{"weekday": 2, "start": "10:00", "end": "10:00"}]},
            "window_order",
            "La plage horaire doit finir après son début (utilisez 24:00 pour minuit)",
        ),
        (
            {"notification_windows": [{"weekday": 2, "start": "08:00", "end": "25:00"}]},
            "time_invalid",
            "Heure invalide : « 25:00 » (HH:MM attendu)",
        ),
        (
            {"notification_windows": [{"weekday": 7, "start": "08:00", "end": "12:00"}]},
            "less_than_equal",
            "doit être inférieur ou égal à 6",
        ),
        ({"timezone": "Europe/Evry"}, "timezone_unknown", "Fuseau horaire inconnu : « Europe/Evry »"),
        ({"radius_km": 0}, "greater_than", "doit être supérieur à 0"),
    ],
)
def test_professional_settings_are_checked(server: LiveServer, override, code, message) -> None:
    admin = server.admin()
    body = professional_body(**override)
    created = _error(admin.post("/admin/professionals", json=body), 422, code)
    assert created["errors"][0]["message"] == message
    assert message in created["detail"]
    assert body["username"] not in [u["username"] for u in admin.get("/admin/users").json()]
    pro, _ = server.professional()
    patched = _error(admin.patch(f"/admin/professionals/{pro['user_id']}", json=override), 422, code)
    assert patched["errors"][0]["message"] == message
    assert admin.get(f"/admin/professionals/{pro['user_id']}").json() == pro


# Who may administer --------------------------------------------------------------------------


def _admin_calls(user_id: int) -> list[tuple[str, str, Any]]:
    return [
        ("POST", "/admin/users", {}),
        ("GET", "/admin/users", None),
        ("GET", f"/admin/users/{user_id}", None),
        ("PATCH", f"/admin/users/{user_id}", {"active": False}),
        ("POST", "/admin/networks", {"name": unique("Réseau pirate ")}),
        ("POST", "/admin/professionals", professional_body()),
        ("GET", "/admin/professionals", None),
        ("GET", f"/admin/professionals/{user_id}", None),
        ("PATCH", f"/admin/professionals/{user_id}", {"radius_km": 1}),
        ("GET", "/admin/audit", None),
    ]


@pytest.mark.parametrize("role", ["operator", "secretary", "supervisor", "professional"])
def test_admin_routes_are_refused_and_audited(server: LiveServer, role: str) -> None:
    if role == "professional":
        user, client = server.professional()
        user_id = user["user_id"]
    else:
        user, client = server.user(role)
        user_id = user["id"]
    calls = _admin_calls(user_id)
    for method, path, body in calls:
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json() == {"detail": "Accès refusé pour votre rôle", "code": "forbidden"}
    # Nothing changed: the account is still active, the network was not created.
    admin = server.admin()
    assert admin.get(f"/admin/users/{user_id}").json()["active"] is True
    assert calls[4][2]["name"] not in [n["name"] for n in admin.get("/networks").json()]
    trail = admin.get("/admin/audit", params={"user_id": user_id, "action": "forbidden"}).json()
    assert [(e["method"], e["path"]) for e in trail] == [(m, f"/api/v1{p}") for m, p, _ in calls]
    for entry in trail:
        assert entry["user_id"] == user_id
        assert entry["username"] == user["username"]
        assert entry["role"] == role
        assert entry["status"] == 403
        assert entry["client_agent"] == "centrale-tests"
        assert entry["detail"] == {"allowed": ["admin"]}


def test_networks_list_is_open_to_every_role_but_not_anonymous(server: LiveServer) -> None:
    network = server.network()
    _, professional = server.professional()
    for client in (server.user("secretary")[1], server.user("supervisor")[1], professional):
        response = client.get("/networks")
        assert response.status_code == 200
        assert network in [n["id"] for n in response.json()]
    anonymous = _error(server.client().get("/networks"), 401, "not_authenticated")
    assert anonymous["detail"] == "Authentification requise"
