"""The audit trail in the back office over HTTP: filters (actor, patient, action, period in
Europe/Paris days), newest-first pages, the streamed CSV export for French spreadsheets (itself
audited), and bad filters answered in French."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.support.live import LiveServer, patient_body, unique

PARIS = ZoneInfo("Europe/Paris")


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def _patient(server: LiveServer, operator: httpx.Client) -> int:
    created = operator.post("/patients", json=patient_body())
    assert created.status_code == 201, created.text
    pid = int(created.json()["id"])
    assert operator.get(f"/patients/{pid}").status_code == 200
    return pid


def test_filters_and_pages(server: LiveServer) -> None:
    admin = server.admin()
    user, operator = server.user("operator")
    pid = _patient(server, operator)
    operator.get(f"/patients/{pid}/timeline")
    mine = _ok(admin.get("/admin/audit", params={"user_id": user["id"], "patient_id": pid}))
    assert [e["action"] for e in mine] == ["patient_create", "patient_read", "patient_timeline"]
    by_name = _ok(admin.get("/admin/audit", params={"username": user["username"], "action": "patient_read"}))
    assert [e["id"] for e in by_name] == [mine[1]["id"]]

    newest = _ok(admin.get("/admin/audit", params={"user_id": user["id"], "order": "desc", "limit": 2}))
    assert [e["id"] for e in newest] == [mine[2]["id"], mine[1]["id"]]
    rest = _ok(
        admin.get(
            "/admin/audit",
            params={"user_id": user["id"], "order": "desc", "limit": 2, "before_id": newest[-1]["id"]},
        )
    )
    assert [e["id"] for e in rest] == [mine[0]["id"]]

    # The period is in Paris days: today (Paris) holds the entries, yesterday does not.
    today = datetime.now(UTC).astimezone(PARIS).date()
    at = datetime.fromisoformat(mine[0]["at"]).astimezone(PARIS).date()
    assert at == today
    same_day = {"user_id": user["id"], "since": today.isoformat(), "until": today.isoformat()}
    assert len(_ok(admin.get("/admin/audit", params=same_day))) == 3
    yesterday = (today - timedelta(days=1)).isoformat()
    assert _ok(admin.get("/admin/audit", params={"user_id": user["id"], "until": yesterday})) == []
    assert (
        _ok(
            admin.get(
                "/admin/audit",
                params={"user_id": user["id"], "since": (today + timedelta(days=1)).isoformat()},
            )
        )
        == []
    )
    in_cayenne = {**same_day, "tz": "America/Cayenne"}  # a zone in force elsewhere still answers
    assert _ok(admin.get("/admin/audit", params=in_cayenne)) is not None

    reads = [
        e for e in _ok(admin.get("/admin/audit", params={"action": "admin_audit_read", "order": "desc"}))
    ]
    assert reads[0]["detail"]["filters"]["user_id"] == user["id"]
    assert reads[0]["patient_id"] is None  # reading the trail is not a read of the patient's file


def test_bad_filters_are_refused_in_french(server: LiveServer) -> None:
    admin = server.admin()
    backwards = admin.get("/admin/audit", params={"since": "2025-03-10", "until": "2025-03-01"})
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "La fin de la période doit suivre son début"
    assert backwards.json()["code"] == "period_invalid"
    not_a_day = admin.get("/admin/audit.csv", params={"since": "31/02/2025"})
    assert not_a_day.status_code == 422, not_a_day.text
    assert not_a_day.json()["errors"][0]["field"] == "since"
    for params in ({"user_id": "abc"}, {"order": "random"}, {"limit": 0}, {"tz": "Mars/Olympus"}):
        response = admin.get("/admin/audit", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["detail"]


def test_csv_export(server: LiveServer) -> None:
    admin = server.admin()
    user, operator = server.user("operator")
    pid = _patient(server, operator)
    with admin.stream("GET", "/admin/audit.csv", params={"user_id": user["id"]}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"].startswith('attachment; filename="journal-audit-')
        raw = response.read()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:7] == ["Date", "Heure", "N°", "Utilisateur (id)", "Identifiant", "Rôle", "Action"]
    body = rows[1:]
    assert [(r[4], r[6], r[7]) for r in body] == [
        (user["username"], "patient_create", str(pid)),
        (user["username"], "patient_read", str(pid)),
    ]
    entries = _ok(admin.get("/admin/audit", params={"user_id": user["id"]}))
    for row, entry in zip(body, entries, strict=True):
        local = datetime.fromisoformat(entry["at"]).astimezone(PARIS)
        assert (row[0], row[1]) == (f"{local:%d/%m/%Y}", f"{local:%H:%M:%S}")
        assert row[2] == str(entry["id"])
        assert json.loads(row[13]) == entry["detail"] if entry["detail"] else row[13] == ""
    assert "\r\n" in text

    exports = _ok(
        admin.get("/admin/audit", params={"action": "admin_audit_export", "order": "desc", "limit": 1})
    )
    assert exports[0]["detail"]["filters"] == {"user_id": user["id"]}
    assert exports[0]["path"] == "/api/v1/admin/audit.csv"

    nothing = admin.get("/admin/audit.csv", params={"user_id": user["id"], "action": "no_such_action"})
    assert nothing.content.decode("utf-8-sig").count("\r\n") == 1  # the header alone


def test_csv_cells_never_run_as_formulas(server: LiveServer) -> None:
    admin = server.admin()
    agent = "=cmd|' /C calc'!A0"  # the client's name is recorded as sent
    ghost = unique("formule")
    refused = server.client().post(
        "/auth/login",
        json={"username": ghost, "password": "wrong-password-xyz"},
        headers={"X-Centrale-Client": agent},
    )
    assert refused.status_code == 401
    text = admin.get("/admin/audit.csv", params={"username": ghost}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [(r[4], r[6], r[12]) for r in rows[1:]] == [(ghost, "login_failed", "'" + agent)]
    assert not any(cell.startswith("=") for r in rows for cell in r)
