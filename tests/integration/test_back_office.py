"""The back office over HTTP (real server processes, SQLite and PostgreSQL): searching and editing
users and professionals, networks with their counts, each change in the audit trail (actor, target,
what changed, never a password), refusals, and bad input answered in French."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.live import PASSWORD, LiveServer, unique, unique_name

NEW_PASSWORD = "a-brand-new-long-password"


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["detail"], body
    return body


def _trail(admin: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    return list(_ok(admin.get("/admin/audit", params={"limit": 1000, **params})))


def _admin_id(admin: httpx.Client) -> int:
    return int(_ok(admin.get("/auth/me"))["id"])


def test_users_are_searched_edited_and_every_change_is_audited(server: LiveServer) -> None:
    admin = server.admin()
    network = server.network()
    marker = unique_name("Zoé")
    created = _ok(
        admin.post(
            "/admin/users",
            json={
                "username": unique("sec"),
                "password": PASSWORD,
                "role": "secretary",
                "display_name": f"{marker} Martin",
                "network_ids": [network],
            },
        ),
        201,
    )
    uid = created["id"]
    found = _ok(admin.get("/admin/users", params={"q": marker.lower()}))
    assert [u["id"] for u in found] == [uid]
    assert _ok(admin.get("/admin/users", params={"q": marker, "role": ["operator", "admin"]})) == []
    both = _ok(admin.get("/admin/users", params={"q": marker, "role": ["secretary", "admin"]}))
    assert [u["id"] for u in both] == [uid]
    assert uid in [u["id"] for u in _ok(admin.get("/admin/users", params={"network_id": network}))]

    changed = _ok(
        admin.patch(f"/admin/users/{uid}", json={"role": "supervisor", "display_name": f"{marker} M."})
    )
    assert (changed["role"], changed["display_name"]) == ("supervisor", f"{marker} M.")
    # An admin no longer chooses a password (issue 17): a reset gives the user a one-time link.
    refused = admin.patch(f"/admin/users/{uid}", json={"password": NEW_PASSWORD})
    _error(refused, 422, "password_not_settable")
    reset = _ok(admin.post(f"/admin/users/{uid}/password-reset"))
    token = reset["link"].split("jeton=", 1)[1]
    confirmed = server.client().post(
        "/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    _ok(confirmed)
    assert server.login(created["username"], NEW_PASSWORD)
    _ok(admin.patch(f"/admin/users/{uid}", json={"active": False}))
    assert uid not in [u["id"] for u in _ok(admin.get("/admin/users", params={"active": True, "q": marker}))]
    _ok(admin.patch(f"/admin/users/{uid}", json={"active": True}))

    trail = [e for e in _trail(admin, user_id=_admin_id(admin)) if e["detail"].get("target_user_id") == uid]
    assert [e["action"] for e in trail] == [
        "admin_user_create",
        "admin_user_update",
        "admin_user_password_reset",
        "admin_user_deactivate",
        "admin_user_reactivate",
    ]
    assert trail[0]["status"] == 201
    assert trail[0]["detail"]["role"] == "secretary"
    assert trail[1]["detail"]["changes"] == {
        "display_name": [f"{marker} Martin", f"{marker} M."],
        "role": ["secretary", "supervisor"],
    }
    everything = str(trail)
    assert PASSWORD not in everything
    assert NEW_PASSWORD not in everything
    assert all(e["detail"]["target"] == created["username"] for e in trail)


def test_user_changes_that_are_refused(server: LiveServer) -> None:
    admin = server.admin()
    me = _admin_id(admin)
    lockout = _error(admin.patch(f"/admin/users/{me}", json={"active": False}), 409, "self_lockout")
    assert lockout["detail"] == "Vous ne pouvez pas désactiver votre propre compte"
    demote = _error(admin.patch(f"/admin/users/{me}", json={"role": "operator"}), 409, "self_lockout")
    assert demote["detail"] == "Vous ne pouvez pas retirer votre propre rôle d'administrateur"
    assert _ok(admin.get(f"/admin/users/{me}"))["role"] == "admin"
    pro, _ = server.professional()
    to_staff = admin.patch(f"/admin/users/{pro['user_id']}", json={"role": "operator"})
    assert _error(to_staff, 422, "role_professional")
    user, _ = server.user("operator")
    to_pro = admin.patch(f"/admin/users/{user['id']}", json={"role": "professional"})
    assert _error(to_pro, 422, "role_professional")
    bad_role = _error(admin.patch(f"/admin/users/{user['id']}", json={"role": "chef"}), 422, "enum")
    assert bad_role["errors"][0]["field"] == "role"
    short = _error(
        admin.patch(f"/admin/users/{user['id']}", json={"password": "Zq7xk"}), 422, "string_too_short"
    )
    assert "Zq7xk" not in str(short)
    assert _error(admin.get("/admin/users", params={"role": "chef"}), 422, "enum")
    assert _error(admin.get("/admin/users", params={"active": "peut-être"}), 422, "bool_parsing")
    assert _ok(admin.get(f"/admin/users/{user['id']}"))["role"] == "operator"


def test_professionals_are_searched_edited_and_deactivated(server: LiveServer) -> None:
    admin = server.admin()
    network = server.network()
    last = unique_name("Quéméner")
    pro, client = server.professional(
        last_name=last, first_name="Anaïs", commune_insee="91228", network_ids=[network]
    )
    uid = pro["user_id"]
    for params in (
        {"q": last.lower()[:-1]},
        {"q": f"ana {last[:6]}"},
        {"rpps": pro["rpps"][:8], "q": last},
        {"q": last, "profession": "60", "commune": "91228"},
        {"q": last, "commune": "évry"},
        {"network_id": network},
        {"q": last, "active": "true"},
    ):
        assert [p["user_id"] for p in _ok(admin.get("/admin/professionals", params=params))] == [uid], params
    assert _ok(admin.get("/admin/professionals", params={"q": last, "profession": "10"})) == []
    assert _ok(admin.get("/admin/professionals", params={"q": last, "commune": "75056"})) == []
    assert _error(admin.get("/admin/professionals", params={"rpps": "12ab"}), 422, "string_pattern_mismatch")

    profile = _ok(
        admin.put(
            f"/admin/professionals/{uid}/profile",
            json={
                "radius_km": 25,
                "communes": ["75056"],
                "notification_windows": [{"weekday": 6, "state": "off"}],
            },
        )
    )
    assert (profile["radius_km"], profile["communes"]) == (25.0, ["75056"])
    assert profile["notification_windows"][6]["state"] == "off"
    assert _ok(client.get("/me/profile"))["communes"] == ["75056"]  # what the professional sees
    served = _ok(admin.get("/admin/professionals", params={"q": last, "commune": "75056"}))
    assert [p["user_id"] for p in served] == [uid]
    refused = admin.put(f"/admin/professionals/{uid}/profile", json={"communes": ["99999"]})
    assert _error(refused, 422, "commune_unknown")["detail"] == "Commune inconnue : 99999"
    assert _ok(admin.get(f"/admin/professionals/{uid}/profile"))["communes"] == ["75056"]

    _ok(admin.patch(f"/admin/professionals/{uid}", json={"availability": "office"}))
    _ok(admin.patch(f"/admin/professionals/{uid}", json={"active": False}))
    assert _error(client.get("/auth/me"), 401, "user_inactive")
    assert _ok(admin.get("/admin/professionals", params={"q": last, "active": "true"})) == []

    trail = [e for e in _trail(admin, user_id=_admin_id(admin)) if e["detail"].get("target_user_id") == uid]
    assert [e["action"] for e in trail] == [
        "admin_professional_create",
        "admin_professional_profile",
        "admin_professional_update",
        "admin_professional_deactivate",
    ]
    assert trail[1]["detail"]["changes"]["radius_km"] == [10.0, 25.0]
    assert trail[1]["detail"]["changes"]["communes"] == [[], ["75056"]]
    assert trail[2]["detail"]["changes"] == {"availability": ["both", "office"]}
    assert all(e["detail"]["rpps"] == pro["rpps"] for e in trail)


def test_networks_with_counts_and_renaming(server: LiveServer) -> None:
    admin = server.admin()
    name = unique("CPTS du Val ")
    network = server.network(name)
    server.user("operator", [network])
    pro, _ = server.professional(network_ids=[network])
    _ok(admin.patch(f"/admin/professionals/{pro['user_id']}", json={"active": False}))
    listed = {n["id"]: n for n in _ok(admin.get("/admin/networks"))}
    assert listed[network] == {
        "id": network,
        "name": name,
        "members": 2,
        "professionals": 1,
        "active_members": 1,
    }

    renamed = _ok(admin.patch(f"/admin/networks/{network}", json={"name": f"{name} Nord"}))
    assert renamed == {"id": network, "name": f"{name} Nord"}
    other = server.network()
    taken = admin.patch(f"/admin/networks/{other}", json={"name": f"  {name.upper()} NORD "})
    assert _error(taken, 409, "network_exists")["detail"] == f"Le réseau « {name.upper()} NORD » existe déjà"
    assert _error(admin.patch("/admin/networks/999999", json={"name": "Réseau X"}), 404, "not_found")
    assert _error(admin.patch(f"/admin/networks/{other}", json={"name": "A"}), 422, "string_too_short")
    trail = _trail(admin, action="admin_network_rename")
    mine = [e for e in trail if e["detail"]["network_id"] == network]
    assert [e["detail"]["changes"] for e in mine] == [{"name": [name, f"{name} Nord"]}]
    created = [
        e for e in _trail(admin, action="admin_network_create") if e["detail"]["network_id"] == network
    ]
    assert len(created) == 1


@pytest.mark.parametrize("role", ["operator", "supervisor", "professional"])
def test_new_back_office_routes_are_refused_and_audited(server: LiveServer, role: str) -> None:
    if role == "professional":
        user, client = server.professional()
        uid = user["user_id"]
    else:
        user, client = server.user(role)
        uid = user["id"]
    calls = [
        ("GET", "/admin/networks", None),
        ("PATCH", "/admin/networks/1", {"name": "Réseau pirate"}),
        ("GET", f"/admin/professionals/{uid}/profile", None),
        ("PUT", f"/admin/professionals/{uid}/profile", {"radius_km": 1}),
        ("GET", "/admin/audit.csv", None),
        ("GET", "/admin/overview", None),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (method, path)
        assert response.json() == {"detail": "Accès refusé pour votre rôle", "code": "forbidden"}
    trail = _trail(server.admin(), user_id=uid, action="forbidden")
    assert [(e["method"], e["path"]) for e in trail] == [(m, f"/api/v1{p}") for m, p, _ in calls]


def test_overview_counts(server: LiveServer) -> None:
    admin = server.admin()
    before = _ok(admin.get("/admin/overview"))
    server.user("secretary")
    ghost = unique("bloque")
    for _ in range(4):
        server.client().post("/auth/login", json={"username": ghost, "password": "wrong-password-xx"})
    after = _ok(admin.get("/admin/overview"))
    assert after["users_by_role"]["secretary"] == before["users_by_role"]["secretary"] + 1
    assert ghost in [b["username"] for b in after["blocked_logins"]]
    assert after["users_by_role"]["admin"] >= 1
    assert set(after) >= {"inactive_users", "professionals_active", "networks", "refusals_last_24h"}
