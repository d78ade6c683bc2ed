"""Statistics for supervisors: counted within the caller's scope, with the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.integration.test_calls import missed
from tests.support.dispatch import Desk, north, place, prescription
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(clock_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(clock_server)
    yield desk
    desk.close()


def test_statistics_count_what_the_supervisors_network_sent(desk: Desk) -> None:
    ours, other = desk.network(), desk.network()
    _, operator = desk.staff("operator", [ours])
    _, supervisor = desk.staff("supervisor", [ours])
    _, stranger = desk.staff("supervisor", [other])
    lat, lon = place()
    responder = desk.responder(*north(lat, lon, 1))
    patient = desk.patient(lat, lon)
    start = desk.now() - timedelta(seconds=1)

    sent = operator.post(
        "/cases",
        json=desk.case_body(
            patient["id"],
            prescription(response_delay_minutes=10),
            prescription(response_delay_minutes=10, profession_code="70", care_type="Kiné respiratoire"),
            prescription(response_delay_minutes=10),
        ),
    )
    assert sent.status_code == 201, sent.text
    first, second, third = (line["id"] for line in sent.json()["prescriptions"])
    number = sent.json()["number"]
    call = missed(started_at=start.isoformat(), ended_at=(start + timedelta(seconds=9)).isoformat())
    assert operator.post("/calls", json=call).status_code == 201

    desk.advance(3 * 60)
    assert responder.client.post(f"/prescriptions/{first}/accept").status_code == 200
    assert operator.post(f"/prescriptions/{second}/cancel", json={"reason": "Doublon"}).status_code == 200
    desk.advance(8 * 60)  # past the 10-minute deadline: the third expires
    period = {"since": start.isoformat(), "until": (desk.now() + timedelta(seconds=1)).isoformat()}

    seen = supervisor.get("/stats", params=period)
    assert seen.status_code == 200, seen.text
    figures = seen.json()
    assert figures["acceptance"] == {
        "sent": 3, "accepted": 1, "rate": round(1 / 3, 4), "expired": 1,
        "expired_share": round(1 / 3, 4), "cancelled": 1, "pending": 0,
    }  # fmt: skip
    assert {k: v for k, v in figures["prescriptions_by_state"].items() if v} == {
        "accepted": 1, "cancelled": 1, "expired": 1,
    }  # fmt: skip
    assert [(p["profession_code"], p["count"]) for p in figures["prescriptions_by_profession"]] == [
        ("60", 2), ("70", 1),
    ]  # fmt: skip
    assert figures["median_minutes_to_acceptance"] == pytest.approx(3.0, abs=0.05)
    by_bucket = {b["up_to_minutes"]: b["count"] for b in figures["minutes_to_acceptance"]}
    assert by_bucket[5] == 1
    assert sum(by_bucket.values()) == 1
    assert sum(h["missed"] for h in figures["calls_per_hour"]) >= 1

    elsewhere = stranger.get("/stats", params=period).json()
    assert elsewhere["acceptance"]["sent"] == 0

    export = supervisor.get("/stats/prescriptions.csv", params=period)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert lines[0][:3] == ["fiche", "demande", "tour"]
    assert sorted(int(row[1]) for row in lines[1:]) == sorted([first, second, third])
    assert {row[0] for row in lines[1:]} == {number}
    assert patient["last_name"] not in export.text
    accepted_row = next(row for row in lines[1:] if int(row[1]) == first)
    assert accepted_row[7] == "accepted"
    assert float(accepted_row[10].replace(",", ".")) == pytest.approx(3.0, abs=0.05)


def test_statistics_refuse_a_bad_period_and_other_roles(desk: Desk) -> None:
    _, supervisor = desk.staff("supervisor")
    now = desk.now()
    backwards = {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()}
    refused = supervisor.get("/stats", params=backwards)
    assert (refused.status_code, refused.json()["code"]) == (422, "period_invalid")
    too_long = {"since": (now - timedelta(days=400)).isoformat(), "until": now.isoformat()}
    assert supervisor.get("/stats", params=too_long).status_code == 422
    lat, lon = place()
    responder = desk.responder(lat, lon)
    assert responder.client.get("/stats").status_code == 403
    assert responder.client.get("/stats/prescriptions.csv").status_code == 403
