"""Issue 18, item 7: « Renouveler » never offers a request alone again to a usual professional who
declined it. A renewal gives no priority window to the usual professionals who declined an earlier
round: with none left the pool is notified at once (docs/dispatch.md); one who did not decline keeps
his priority. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.care_scenes import ok
from tests.support.dispatch import Desk, north, place
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def _cancel_and_renew(desk: Desk, pid: int) -> dict[str, object]:
    ok(desk.operator.post(f"/prescriptions/{pid}/cancel", json={"reason": "Personne n'a accepté"}))
    renewed: dict[str, object] = ok(
        desk.operator.post(f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 600})
    )
    return renewed


def test_a_renewal_after_the_only_usual_professional_declined_opens_the_pool_at_once(desk: Desk) -> None:
    lat, lon = place()
    usual = desk.responders(1, *north(lat, lon, 30))[0]  # beyond the pool's radius: usual only
    pool = desk.responders(1, lat, lon)[0]
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], usual)
    pid = desk.send_one(patient["id"], response_delay_minutes=600)["id"]
    assert desk.notified(pid) == {usual.id}
    ok(usual.client.post(f"/prescriptions/{pid}/decline"))  # the pool opens (round 1)
    assert desk.notified(pid) == {usual.id, pool.id}
    seq = desk.feed_seq()
    renewed = _cancel_and_renew(desk, pid)
    assert renewed["round"] == 2
    assert desk.notified(pid, 2) == {pool.id}  # the pool at once, not the decliner alone
    assert renewed["priority_until"] is None
    assert renewed["notified_count"] == 1
    assert "prescription_renewed" in desk.event_types(seq, pid)
    assert pid not in usual.offer_ids()
    assert pid in pool.offer_ids()


def test_a_usual_professional_who_did_not_decline_keeps_his_priority_on_renewal(desk: Desk) -> None:
    lat, lon = place()
    declining, silent = desk.responders(2, *north(lat, lon, 30))
    pool = desk.responders(1, lat, lon)[0]
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], declining, silent)
    pid = desk.send_one(patient["id"], response_delay_minutes=600)["id"]
    ok(declining.client.post(f"/prescriptions/{pid}/decline"))
    assert desk.answers(pid) == {declining.id: "declined", silent.id: None}
    renewed = _cancel_and_renew(desk, pid)
    assert desk.notified(pid, 2) == {silent.id}  # priority for the one who never said no
    assert renewed["priority_until"] is not None
    assert pid not in declining.offer_ids()
    assert pid not in pool.offer_ids()
    ok(silent.client.post(f"/prescriptions/{pid}/decline"))  # now nobody usual is left: the pool
    assert desk.notified(pid, 2) == {silent.id, pool.id}
