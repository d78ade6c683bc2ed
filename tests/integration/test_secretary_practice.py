"""Issue 17, item 16 — a practice secretary sees her professionals' patients only (the FAQ: « seuls
les professionnels de santé intervenant auprès d'un patient et son médecin traitant »), on real
server processes (SQLite and PostgreSQL): search, read, history and board; refusals audited.
Operators keep the platform-wide view. The practice is set by an admin, audited."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.live import LiveServer, patient_body, unique_name

PRESCRIPTION = {
    "profession_code": "60",
    "care_type": "Pansement",
    "care_mode": "visit",
    "intervention_delay_minutes": 120,
    "response_delay_minutes": 60,
    "comment": "Pansement à refaire",
}


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _patient(operator: httpx.Client, last_name: str, usual_rpps: str | None = None) -> int:
    pid = int(_ok(operator.post("/patients", json=patient_body(last_name=last_name)), 201)["id"])
    if usual_rpps:
        _ok(
            operator.put(
                f"/patients/{pid}/usual-professionals", json=[{"profession_code": "10", "rpps": usual_rpps}]
            )
        )
    return pid


def _case(operator: httpx.Client, patient_id: int, requester_rpps: str) -> int:
    body = {
        "caller": {"name": "Cabinet du demandeur"},
        "requester": {"rpps": requester_rpps},
        "patient_id": patient_id,
        "prescriptions": [PRESCRIPTION],
    }
    return int(_ok(operator.post("/cases", json=body), 201)["case_id"])


def test_a_secretary_sees_her_practice_patients_and_no_other(server: LiveServer) -> None:
    admin = server.admin()
    mine, _ = server.professional(profession_code="10")
    other, _ = server.professional(profession_code="10")
    secretary, as_secretary = server.user("secretary")
    _, operator = server.user("operator")
    practice = _ok(
        admin.put(f"/admin/users/{secretary['id']}/practice", json={"professional_ids": [mine["user_id"]]})
    )
    assert practice["professional_ids"] == [mine["user_id"]]

    family = unique_name("CABINET")
    usual_mine = _patient(operator, f"{family}A", mine["rpps"])
    usual_other = _patient(operator, f"{family}B", other["rpps"])
    asked_mine = _patient(operator, f"{family}C")
    asked_other = _patient(operator, f"{family}D")
    case_mine = _case(operator, asked_mine, mine["rpps"])
    case_other = _case(operator, asked_other, other["rpps"])

    # Search: her practice's patients only; the operator sees the platform.
    found = _ok(as_secretary.get("/patients", params={"last_name": family}))["items"]
    assert sorted(p["id"] for p in found) == sorted([usual_mine, asked_mine])
    hints = {h["id"] for p in found for h in p["likely_duplicates"]}
    assert not hints & {usual_other, asked_other}
    everyone = _ok(operator.get("/patients", params={"last_name": family}))["items"]
    assert {usual_mine, usual_other, asked_mine, asked_other} <= {p["id"] for p in everyone}

    # Read and history: hers yes, another practice's 403 in French, audited against the patient.
    assert _ok(as_secretary.get(f"/patients/{usual_mine}"))["id"] == usual_mine
    assert _ok(as_secretary.get(f"/patients/{asked_mine}"))["id"] == asked_mine
    assert _ok(as_secretary.get(f"/patients/{asked_mine}/timeline"))
    for pid in (usual_other, asked_other):
        for path in (f"/patients/{pid}", f"/patients/{pid}/timeline"):
            refused = as_secretary.get(path)
            assert refused.status_code == 403, refused.text
            assert refused.json()["detail"] == "Vous n'intervenez pas auprès de ce patient"
            assert str(pid) not in refused.text
    trail = _ok(
        admin.get("/admin/audit", params={"user_id": secretary["id"], "action": "forbidden", "limit": 100})
    )
    refusals = {(e["patient_id"], e["detail"]["attempted"], e["status"]) for e in trail}
    for pid in (usual_other, asked_other):
        assert (pid, "patient_read", 403) in refusals
        assert (pid, "patient_timeline", 403) in refusals

    # Board: her practice's cases, whatever scope she asks for.
    for scope in ("all", "supervised"):
        board = _ok(as_secretary.get("/prescriptions", params={"scope": scope, "q": family}))
        cases = {row["case_id"] for row in board}
        assert case_mine in cases
        assert case_other not in cases
    operator_board = {
        row["case_id"] for row in _ok(operator.get("/prescriptions", params={"scope": "all", "q": family}))
    }
    assert {case_mine, case_other} <= operator_board


def test_the_practice_is_set_by_an_admin_and_audited(server: LiveServer) -> None:
    admin = server.admin()
    admin_id = _ok(admin.get("/auth/me"))["id"]
    doctor, _ = server.professional(profession_code="10")
    secretary, as_secretary = server.user("secretary")
    operator, _ = server.user("operator")
    path = f"/admin/users/{secretary['id']}/practice"
    assert _ok(admin.get(path)) == {"secretary_user_id": secretary["id"], "professional_ids": []}

    unknown = admin.put(path, json={"professional_ids": [operator["id"]]})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "professional_unknown"
    not_secretary = admin.put(f"/admin/users/{operator['id']}/practice", json={"professional_ids": []})
    assert not_secretary.json()["code"] == "practice_secretary_only"
    assert admin.put(path, json={"professional_ids": [2**63]}).status_code == 422
    assert as_secretary.put(path, json={"professional_ids": [doctor["user_id"]]}).status_code == 403

    _ok(admin.put(path, json={"professional_ids": [doctor["user_id"], doctor["user_id"]]}))
    assert _ok(admin.get(path))["professional_ids"] == [doctor["user_id"]]
    trail = _ok(admin.get("/admin/audit", params={"action": "admin_user_practice", "limit": 1000}))
    [entry] = [e for e in trail if e["detail"]["target_user_id"] == secretary["id"]]
    assert entry["user_id"] == admin_id
    assert entry["detail"]["changes"] == {"professional_ids": [[], [doctor["user_id"]]]}
