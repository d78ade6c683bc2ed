"""Issue 17, item 16 — a practice secretary sees her professionals' patients only (the FAQ: « seuls
les professionnels de santé intervenant auprès d'un patient et son médecin traitant »), on real
server processes (SQLite and PostgreSQL): search, read, history and board; refusals audited.
Operators keep the platform-wide view. The practice is set by an admin, audited."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from tests.support.live import LiveServer, make_nir, patient_body, unique_name, unique_phone

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


def _refused(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["detail"] == detail


def test_a_secretary_writes_reads_and_counts_only_her_practice(server: LiveServer) -> None:
    """Patient writes (the file, the usual professionals), a prescription's detail and actions, the
    statistics and their CSV: her practice's only; each refusal a French 403, audited, nothing changed."""
    start = datetime.now(UTC) - timedelta(seconds=5)
    admin = server.admin()
    mine, _ = server.professional(profession_code="10")
    other, _ = server.professional(profession_code="10")
    secretary, as_secretary = server.user("secretary")
    _, operator = server.user("operator")
    _ok(admin.put(f"/admin/users/{secretary['id']}/practice", json={"professional_ids": [mine["user_id"]]}))
    family = unique_name("ECRITURE")
    usual_mine = _patient(operator, f"{family}A", mine["rpps"])
    asked_other = _patient(operator, f"{family}B")
    asked_mine = _patient(operator, f"{family}C")
    case_mine = _ok(operator.get(f"/prescriptions/{_first(operator, asked_mine, mine['rpps'])}"))
    other_prescription = _first(operator, asked_other, other["rpps"])

    # Patient writes: hers yes; another practice's refused before anything is changed.
    version = _ok(as_secretary.get(f"/patients/{usual_mine}"))["version"]
    patched = _ok(as_secretary.patch(f"/patients/{usual_mine}", json={"version": version, "floor": "2e"}))
    assert patched["floor"] == "2e"
    _refused(as_secretary.patch(f"/patients/{asked_other}", json={"version": 1, "floor": "3e"}), NOT_YOURS)
    usual = [{"profession_code": "10", "rpps": other["rpps"]}]
    _refused(as_secretary.put(f"/patients/{asked_other}/usual-professionals", json=usual), NOT_YOURS)
    untouched = _ok(operator.get(f"/patients/{asked_other}"))
    assert untouched["version"] == 1
    assert untouched["floor"] != "3e"
    assert untouched["usual_professionals"] == []
    # (making her doctor the usual professional of a stranger's patient would open the file to her)
    mine_usual = [{"profession_code": "10", "rpps": mine["rpps"]}]
    _refused(as_secretary.put(f"/patients/{asked_other}/usual-professionals", json=mine_usual), NOT_YOURS)

    # A prescription: her practice's in full; another's 403, and no action on it.
    assert _ok(as_secretary.get(f"/prescriptions/{case_mine['id']}"))["patient"]["last_name"]
    _refused(as_secretary.get(f"/prescriptions/{other_prescription}"), NOT_OFFERED)
    cancel = {"reason": "Annulée par le cabinet"}
    _refused(as_secretary.post(f"/prescriptions/{other_prescription}/cancel", json=cancel), NOT_OFFERED)
    assert _ok(operator.get(f"/prescriptions/{other_prescription}"))["state"] == "pending"

    trail = _ok(
        admin.get("/admin/audit", params={"user_id": secretary["id"], "action": "forbidden", "limit": 100})
    )
    refusals = {(e["patient_id"], e["detail"]["attempted"], e["status"]) for e in trail}
    assert (asked_other, "patient_update", 403) in refusals
    assert (asked_other, "patient_usual_professionals", 403) in refusals
    assert (asked_other, "prescription_read", 403) in refusals
    assert (asked_other, "prescription_cancel", 403) in refusals

    # The statistics and their CSV go through the board's filter: her practice's requests only.
    period = {"since": start.isoformat(), "until": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}
    for scope in ("all", "supervised"):
        figures = _ok(as_secretary.get("/stats", params={**period, "scope": scope}))
        assert figures["acceptance"]["sent"] == 1
        exported = as_secretary.get("/stats/prescriptions.csv", params={**period, "scope": scope})
        assert exported.status_code == 200, exported.text
        assert case_mine["case_number"] in exported.text
        assert _ok(operator.get(f"/prescriptions/{other_prescription}"))["case_number"] not in exported.text
    assert _ok(operator.get("/stats", params={**period, "scope": "all"}))["acceptance"]["sent"] >= 2


def _first(operator: httpx.Client, patient_id: int, requester_rpps: str) -> int:
    body = {
        "caller": {"name": "Cabinet du demandeur"},
        "requester": {"rpps": requester_rpps},
        "patient_id": patient_id,
        "prescriptions": [PRESCRIPTION],
    }
    return int(_ok(operator.post("/cases", json=body), 201)["prescriptions"][0]["id"])


NOT_YOURS = "Vous n'intervenez pas auprès de ce patient"
NOT_OFFERED = "Cette demande ne vous a pas été proposée"


def test_a_secretary_reads_who_was_offered_her_practice_requests_only(server: LiveServer) -> None:
    """`GET /prescriptions/{id}/notifications`: her practice's requests; another's a French 403,
    audited against the patient; every read audited. The operator reads any."""
    admin = server.admin()
    mine, _ = server.professional(profession_code="10")
    other, _ = server.professional(profession_code="10")
    secretary, as_secretary = server.user("secretary")
    _, operator = server.user("operator")
    _ok(admin.put(f"/admin/users/{secretary['id']}/practice", json={"professional_ids": [mine["user_id"]]}))
    family = unique_name("OFFRES")
    asked_mine = _patient(operator, f"{family}A")
    asked_other = _patient(operator, f"{family}B")
    mine_prescription = _first(operator, asked_mine, mine["rpps"])
    other_prescription = _first(operator, asked_other, other["rpps"])

    assert isinstance(_ok(as_secretary.get(f"/prescriptions/{mine_prescription}/notifications")), list)
    refused = as_secretary.get(f"/prescriptions/{other_prescription}/notifications")
    _refused(refused, NOT_OFFERED)
    assert str(asked_other) not in refused.text
    assert isinstance(_ok(operator.get(f"/prescriptions/{other_prescription}/notifications")), list)
    missing = as_secretary.get("/prescriptions/999999999/notifications")
    assert missing.status_code == 404, missing.text

    trail = _ok(admin.get("/admin/audit", params={"user_id": secretary["id"], "limit": 100}))
    seen = {(e["action"], e["patient_id"], e["status"], e["detail"].get("attempted")) for e in trail}
    assert ("prescription_notifications", asked_mine, 200, None) in seen
    assert ("forbidden", asked_other, 403, "prescription_notifications") in seen
    assert not any(
        e["action"] == "prescription_notifications" and e["patient_id"] == asked_other for e in trail
    )


def test_a_secretary_creating_a_patient_learns_no_stranger_s_identity(server: LiveServer) -> None:
    """A NIR already held, or a likely duplicate, outside her practice: still refused, but no id —
    she is told to call the hotline; within her practice she is shown which patient it is."""
    admin = server.admin()
    mine, _ = server.professional(profession_code="10")
    secretary, as_secretary = server.user("secretary")
    _, operator = server.user("operator")
    _ok(admin.put(f"/admin/users/{secretary['id']}/practice", json={"professional_ids": [mine["user_id"]]}))
    born = date(1940 + secrets.randbelow(60), 1 + secrets.randbelow(12), 9)
    stranger_nir, ours_nir = make_nir(2, born), make_nir(2, born)
    while ours_nir == stranger_nir:
        ours_nir = make_nir(2, born)
    stranger_phone, ours_phone = unique_phone(), unique_phone()
    stranger_body = patient_body(birth_date_obj=born, nir=stranger_nir, phone=stranger_phone)
    stranger = int(_ok(operator.post("/patients", json=stranger_body), 201)["id"])
    ours_body = patient_body(birth_date_obj=born, nir=ours_nir, phone=ours_phone)
    ours = int(_ok(operator.post("/patients", json=ours_body), 201)["id"])
    usual = [{"profession_code": "10", "rpps": mine["rpps"]}]
    _ok(operator.put(f"/patients/{ours}/usual-professionals", json=usual))

    # The same NIR: refused either way; the stranger's is not named.
    taken = as_secretary.post("/patients", json=patient_body(birth_date_obj=born, nir=stranger_nir))
    assert taken.status_code == 409, taken.text
    assert taken.json() == {
        "detail": "Un patient avec ce NIR existe déjà : appelez la centrale",
        "code": "nir_exists",
    }
    ours_taken = as_secretary.post("/patients", json=patient_body(birth_date_obj=born, nir=ours_nir))
    assert ours_taken.status_code == 409, ours_taken.text
    assert ours_taken.json()["patient_id"] == ours
    # Nor by changing the NIR of her own patient to the stranger's.
    version = _ok(as_secretary.get(f"/patients/{ours}"))["version"]
    patched = as_secretary.patch(f"/patients/{ours}", json={"version": version, "nir": stranger_nir})
    assert patched.status_code == 409, patched.text
    assert "patient_id" not in patched.json()
    assert patched.json()["detail"] == "Un patient avec ce NIR existe déjà : appelez la centrale"

    # Likely duplicates (the same phone): the reasons for a stranger, the id for hers.
    # (a patient of another test may share a fiction-range phone: hence `in`, not `==`)
    for phone, expected in ((stranger_phone, {"reasons": ["même téléphone"]}),
                            (ours_phone, {"id": ours, "reasons": ["même téléphone"]})):  # fmt: skip
        similar = patient_body(birth_date="1931-02-03", phone=phone, acknowledge_duplicates=False)
        hinted = as_secretary.post("/patients", json=similar)
        assert hinted.status_code == 409, hinted.text
        assert hinted.json()["code"] == "possible_duplicates"
        assert expected in hinted.json()["duplicates"]
        assert all(h.get("id") != stranger for h in hinted.json()["duplicates"])
    # The operator still learns which patient it is.
    again = operator.post("/patients", json=patient_body(birth_date_obj=born, nir=stranger_nir))
    assert again.json()["patient_id"] == stranger
    assert _ok(operator.get(f"/patients/{stranger}"))["version"] == 1
