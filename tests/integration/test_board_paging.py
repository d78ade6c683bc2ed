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
