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
