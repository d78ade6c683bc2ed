"""The board's `offset`: the desktop reads a period longer than one answer (500 rows) page by page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dispatch import Desk, place, prescription
from tests.support.live import LiveServer, unique_name


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def test_offset_pages_the_board_in_its_order(desk: Desk) -> None:
    lat, lon = place()
    patient = desk.patient(lat, lon, last_name=unique_name("Paginat"))
    since = desk.now()
    for _ in range(2):
        desk.send(patient["id"], prescription(), prescription(care_type="Injection"))
    params = {"q": patient["last_name"], "since": since.isoformat()}
    whole = [p["id"] for p in desk.operator.get("/prescriptions", params=params).json()]
    assert len(whole) == 4
    pages = [
        [p["id"] for p in desk.operator.get("/prescriptions", params={**params, "offset": n}).json()]
        for n in (1, 3, 4)
    ]
    assert pages == [whole[1:], whole[3:], []]
    refused = desk.operator.get("/prescriptions", params={"offset": -1})
    assert refused.status_code == 422


def test_every_row_read_on_the_board_is_audited(desk: Desk) -> None:
    """The board's page is audited in one statement, one entry per row with its patient."""
    lat, lon = place()
    patients = [desk.patient(lat, lon, last_name=unique_name("Auditboard")) for _ in range(2)]
    since = desk.now()
    for patient in patients:
        desk.send(patient["id"], prescription(), prescription(care_type="Injection"))
    read = desk.operator.get("/prescriptions", params={"q": "Auditboard", "since": since.isoformat()}).json()
    operator_id = desk.operator.get("/auth/me").json()["id"]
    assert len(read) == 4
    for patient in patients:
        trail = desk.admin.get(
            "/admin/audit", params={"patient_id": patient["id"], "action": "prescription_board"}
        ).json()
        rows = {p["id"] for p in read if p["patient"]["id"] == patient["id"]}
        assert len(rows) == 2
        assert {e["detail"]["prescription_id"] for e in trail} == rows
        assert {(e["method"], e["status"], e["user_id"]) for e in trail} == {("GET", 200, operator_id)}


def test_exclude_mine_leaves_the_callers_own_cases_to_their_section(desk: Desk) -> None:
    """The desktop's second section (`scope=all` for an operator) without « Mes fiches »' rows."""
    lat, lon = place()
    patient = desk.patient(lat, lon, last_name=unique_name("Sections"))
    since = desk.now()
    _other, colleague = desk.staff("operator")
    mine = desk.send(patient["id"], prescription())["prescriptions"][0]["id"]
    sent = desk.post_case(patient["id"], prescription(), client=colleague)
    assert sent.status_code == 201, sent.text
    theirs = sent.json()["prescriptions"][0]["id"]
    params = {"q": patient["last_name"], "since": since.isoformat(), "scope": "all"}

    def ids(**extra: str) -> set[int]:
        answer = desk.operator.get("/prescriptions", params={**params, **extra})
        assert answer.status_code == 200, answer.text
        return {p["id"] for p in answer.json()}

    assert ids() == {mine, theirs}
    assert ids(exclude_mine="true") == {theirs}
    assert ids(scope="mine") == {mine}
