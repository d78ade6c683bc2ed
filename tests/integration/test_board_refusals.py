"""Issue 18, item 7: the board's row shows the refusals of the current round (« 1 refus »).

`declined_count` (and who declined) in a prescription's view: after one and two declines, on the
board (`GET /prescriptions`, read for a whole page in one query) as in the single read, back to 0 in
a renewal's new round; one decline recorded by phone for a professional counts as his. On SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.care_scenes import ok
from tests.support.dispatch import Desk, place, prescription
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def _board_row(desk: Desk, pid: int, case_number: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = ok(desk.operator.get("/prescriptions", params={"number": case_number}))
    return next(row for row in rows if row["id"] == pid)


def _refusals(desk: Desk, pid: int, case_number: str) -> tuple[int, list[int], int, list[int]]:
    row = _board_row(desk, pid, case_number)
    single = desk.get(pid)
    return (
        row["declined_count"],
        row["declined_user_ids"],
        single["declined_count"],
        single["declined_user_ids"],
    )


def test_the_count_follows_one_then_two_declines_and_restarts_with_the_new_round(desk: Desk) -> None:
    lat, lon = place()
    first, second, third = desk.responders(3, lat, lon)
    patient = desk.patient(lat, lon)
    case = desk.send(patient["id"], prescription(response_delay_minutes=600))
    pid, number = case["prescriptions"][0]["id"], case["number"]
    assert _refusals(desk, pid, number) == (0, [], 0, [])

    ok(first.client.post(f"/prescriptions/{pid}/decline"))
    assert _refusals(desk, pid, number) == (1, [first.id], 1, [first.id])
    ok(first.client.post(f"/prescriptions/{pid}/decline"))  # said twice: one refusal
    ok(
        desk.operator.post(
            f"/prescriptions/{pid}/decline", json={"on_behalf_of": second.id, "channel": "phone"}
        )
    )
    both = sorted([first.id, second.id])
    assert _refusals(desk, pid, number) == (2, both, 2, both)

    ok(desk.operator.post(f"/prescriptions/{pid}/cancel", json={"reason": "Personne n'a accepté"}))
    assert _board_row(desk, pid, number)["declined_count"] == 2  # the round's, still shown
    renewed = ok(desk.operator.post(f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 600}))
    assert (renewed["round"], renewed["declined_count"], renewed["declined_user_ids"]) == (2, 0, [])
    assert _refusals(desk, pid, number) == (0, [], 0, [])
    ok(third.client.post(f"/prescriptions/{pid}/decline"))
    assert _refusals(desk, pid, number) == (1, [third.id], 1, [third.id])


def test_a_page_of_the_board_counts_each_row_on_its_own(desk: Desk) -> None:
    lat, lon = place()
    responder = desk.responders(1, lat, lon)[0]
    patient = desk.patient(lat, lon)
    case = desk.send(patient["id"], *(prescription(response_delay_minutes=600) for _ in range(3)))
    pids = [p["id"] for p in case["prescriptions"]]
    ok(responder.client.post(f"/prescriptions/{pids[1]}/decline"))
    rows = ok(desk.operator.get("/prescriptions", params={"number": case["number"]}))
    counts = {row["id"]: row["declined_count"] for row in rows}
    assert counts == {pids[0]: 0, pids[1]: 1, pids[2]: 0}
