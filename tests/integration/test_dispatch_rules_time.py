"""Time in dispatch: notification windows (midnight, DST, overseas zones), deadline, renew, cancel.

The test clock only moves forward: each test moves it to the local time it needs, reading the
server's time first. Tests share this module's server, so each works at a place of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.dispatch import PARIS, Desk, Responder, north, parse_time, place
from tests.support.live import LiveServer

MARTINIQUE = ZoneInfo("America/Martinique")
EXPIRED_LABEL = "Annulé : aucun intervenant n'a accepté dans le délai"


@pytest.fixture(scope="module")
def desk(clock_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(clock_server)
    yield desk
    desk.close()


def window(weekday: int, start: str, end: str) -> dict[str, Any]:
    return {"weekday": weekday, "start": start, "end": end}


def hour_window(local: datetime) -> dict[str, Any]:
    """The one-hour window around a local time: its weekday, hh:00 to hh+1:00."""
    end = "24:00" if local.hour == 23 else f"{local.hour + 1:02d}:00"
    return window(local.weekday(), f"{local.hour:02d}:00", end)


def test_notification_windows_on_weekday_hours(desk: Desk) -> None:
    lat, lon = place()
    windowed = {
        "inside": [window(2, "10:00", "11:00")],
        "starts_now": [window(2, "10:30", "12:00")],  # the start is included
        "ended_now": [window(2, "09:00", "10:30")],  # the end is not
        "other_day": [window(3, "10:00", "11:00")],
        "afternoon": [window(2, "14:00", "18:00")],
        "several": [window(0, "08:00", "09:00"), window(2, "10:15", "10:45")],
        "all_day": [],
    }
    ids = {k: desk.responder(lat, lon, notification_windows=w).id for k, w in windowed.items()}
    patient = desk.patient(lat, lon)

    desk.advance_to_local(PARIS, 2, 10, 30)  # a Wednesday, 10:30 in Paris
    morning = desk.send_one(patient["id"])
    assert desk.notified(morning["id"]) == {ids[k] for k in ("inside", "starts_now", "several", "all_day")}

    desk.advance_to_local(PARIS, 2, 14, 0)
    afternoon = desk.send_one(patient["id"])
    assert desk.notified(afternoon["id"]) == {ids["afternoon"], ids["all_day"]}


def test_notification_windows_around_midnight(desk: Desk) -> None:
    lat, lon = place()
    night = desk.responder(
        lat, lon, notification_windows=[window(4, "22:00", "24:00"), window(5, "00:00", "06:00")]
    )
    always = desk.responder(lat, lon)
    patient = desk.patient(lat, lon)
    probes = [  # (weekday, hour, minute, notified?) in Paris, in the order the clock reaches them
        (4, 21, 30, False),
        (4, 23, 30, True),
        (5, 0, 30, True),
        (5, 5, 59, True),
        (5, 6, 0, False),
        (5, 23, 30, False),
    ]
    for weekday, hour, minute, expected in probes:
        desk.advance_to_local(PARIS, weekday, hour, minute)
        line = desk.send_one(patient["id"])
        notified = desk.notified(line["id"])
        assert always.id in notified
        assert (night.id in notified) is expected, (weekday, hour, minute)


def _next_paris_transition(after: datetime) -> datetime:
    """The next change of Europe/Paris's UTC offset (always on a whole UTC hour)."""
    t = after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for _ in range(24 * 400):
        if (t - timedelta(hours=1)).astimezone(PARIS).utcoffset() != t.astimezone(PARIS).utcoffset():
            return t
        t += timedelta(hours=1)
    raise AssertionError("pas de changement d'heure à Paris dans l'année")


def test_notification_windows_across_a_dst_change_in_paris(desk: Desk) -> None:
    lat, lon = place()
    change = _next_paris_transition(desk.now() + timedelta(hours=2))
    before = (change - timedelta(hours=1)).astimezone(PARIS).utcoffset()
    after = change.astimezone(PARIS).utcoffset()
    assert before is not None
    assert after is not None
    assert before != after
    probes = [change - timedelta(minutes=30), change + timedelta(minutes=30), change + timedelta(hours=31)]
    patient = desk.patient(lat, lon)
    checks: list[tuple[datetime, Responder, Responder]] = []
    for probe in probes:
        local = probe.astimezone(PARIS)
        # What a server holding on to the other season's offset would believe the local time is.
        wrong_offset = after if probe < change else before
        wrong = (probe + wrong_offset).replace(tzinfo=UTC)
        assert wrong.hour != local.hour
        right_one = desk.responder(lat, lon, notification_windows=[hour_window(local)])
        wrong_one = desk.responder(lat, lon, notification_windows=[hour_window(wrong)])
        checks.append((probe, right_one, wrong_one))

    for probe, right_one, wrong_one in checks:
        desk.advance_to(probe)
        line = desk.send_one(patient["id"])
        notified = desk.notified(line["id"])
        local = probe.astimezone(PARIS)
        assert right_one.id in notified, f"{local.isoformat()} ({probe.isoformat()})"
        assert wrong_one.id not in notified, f"{local.isoformat()} ({probe.isoformat()})"


def test_a_responder_in_martinique_is_judged_in_their_own_time_zone(desk: Desk) -> None:
    lat, lon = place()
    arrived = desk.advance_to_local(MARTINIQUE, 2, 10, 30)  # Wednesday 10:30 in Martinique
    paris = arrived.astimezone(PARIS)
    assert (paris.weekday(), paris.hour) in ((2, 14), (2, 15), (2, 16))
    local_hours = [window(2, "10:00", "11:00")]
    in_martinique = desk.responder(lat, lon, timezone="America/Martinique", notification_windows=local_hours)
    in_paris = desk.responder(lat, lon, timezone="Europe/Paris", notification_windows=local_hours)
    paris_hours = [window(2, f"{paris.hour:02d}:00", f"{paris.hour + 1:02d}:00")]
    desk.responder(lat, lon, timezone="America/Martinique", notification_windows=paris_hours)
    patient = desk.patient(lat, lon)

    line = desk.send_one(patient["id"])
    assert desk.notified(line["id"]) == {in_martinique.id}
    assert in_paris.id not in desk.notified(line["id"])


def test_the_deadline_expires_a_prescription_nobody_accepted(desk: Desk) -> None:
    lat, lon = place()
    first, second = desk.responder(lat, lon), desk.responder(*north(lat, lon, 3))
    patient = desk.patient(lat, lon)
    seq = desk.feed_seq()
    line = desk.send_one(patient["id"], response_delay_minutes=10)
    assert line["notified_count"] == 2

    desk.advance(9 * 60)
    assert desk.get(line["id"])["state"] == "pending"
    assert line["id"] in first.offer_ids()

    desk.advance(2 * 60)
    view = desk.get(line["id"])
    assert (view["state"], view["state_label"]) == ("expired", EXPIRED_LABEL)
    assert view["closed_at"] is not None
    assert desk.answers(line["id"]) == {first.id: "expired", second.id: "expired"}
    assert line["id"] not in first.offer_ids()
    assert line["id"] not in second.offer_ids()
    late = first.client.post(f"/prescriptions/{line['id']}/accept")
    assert late.status_code == 409
    assert late.json()["code"] == "state_expired"
    assert late.json()["detail"] == "Cette demande a expiré : aucun intervenant n'a accepté dans le délai"
    assert desk.event_types(seq, line["id"]) == ["prescription_sent", "prescription_expired"]


def test_renew_after_expiry_starts_a_new_round(desk: Desk) -> None:
    lat, lon = place()
    usual, pool = desk.responder(*north(lat, lon, 1)), desk.responder(*north(lat, lon, 2))
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], usual)
    line = desk.send_one(patient["id"], response_delay_minutes=10, comment="Pansement post-opératoire")
    pid = line["id"]
    renewal = {"response_delay_minutes": 20, "comment": "Relance : plaie à revoir"}

    early = desk.operator.post(f"/prescriptions/{pid}/renew", json=renewal)
    assert early.status_code == 409
    assert early.json()["detail"] == "Cette demande est encore en attente d'acceptation"

    desk.advance(6 * 60)  # the pool joins at 5 min
    desk.advance(5 * 60)
    assert desk.answers(pid) == {usual.id: "expired", pool.id: "expired"}
    assert pool.client.post(f"/prescriptions/{pid}/renew", json=renewal).status_code == 403
    blank = desk.operator.post(f"/prescriptions/{pid}/renew", json={**renewal, "comment": " "})
    assert (blank.status_code, blank.json()["code"]) == (422, "comment_required")
    seq = desk.feed_seq()

    renewed = desk.operator.post(f"/prescriptions/{pid}/renew", json=renewal)
    assert renewed.status_code == 200, renewed.text
    view = renewed.json()
    assert (view["round"], view["state"], view["state_label"]) == (2, "pending", "En cours")
    assert view["comment"] == "Pansement post-opératoire\n[2e Déclenchement] Relance : plaie à revoir"
    sent = parse_time(view["sent_at"])
    assert sent >= parse_time(line["deadline_at"])
    assert parse_time(view["deadline_at"]) == sent + timedelta(minutes=20)
    assert parse_time(view["priority_until"]) == sent + timedelta(minutes=10)  # the usual one first again
    assert view["closed_at"] is None
    assert (view["notified_count"], desk.answers(pid, 2)) == (1, {usual.id: None})
    assert desk.answers(pid, 1) == {usual.id: "expired", pool.id: "expired"}
    assert pid in usual.offer_ids()
    assert pid not in pool.offer_ids()
    events = desk.events(seq, pid)
    assert [e["type"] for e in events] == ["prescription_renewed"]
    assert events[0]["data"]["label"] == "2e Déclenchement"

    desk.advance(11 * 60)  # the pool joins at 10 min, then nobody accepts again
    desk.advance(10 * 60)
    assert desk.answers(pid, 2) == {usual.id: "expired", pool.id: "expired"}
    third = desk.operator.post(
        f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 5, "comment": "Dernier essai"}
    )
    assert third.status_code == 200, third.text
    assert third.json()["round"] == 3
    assert third.json()["comment"].endswith(
        "\n[2e Déclenchement] Relance : plaie à revoir\n[3e Déclenchement] Dernier essai"
    )


def test_a_renewed_round_counts_only_its_own_notifications(desk: Desk) -> None:
    lat, lon = place()
    first, second = desk.responder(*north(lat, lon, 1)), desk.responder(*north(lat, lon, 2))
    patient = desk.patient(lat, lon)
    line = desk.send_one(patient["id"], response_delay_minutes=5)
    assert line["notified_count"] == 2  # no usual professional: the pool at once
    desk.advance(6 * 60)
    renewed = desk.operator.post(
        f"/prescriptions/{line['id']}/renew", json={"response_delay_minutes": 5, "comment": "Relance"}
    )
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["notified_count"] == 2
    assert desk.get(line["id"])["notified_count"] == 2
    assert desk.notified(line["id"], 2) == {first.id, second.id}


def test_cancel_needs_a_reason_and_can_be_renewed(desk: Desk) -> None:
    lat, lon = place()
    responder = desk.responder(lat, lon)
    patient = desk.patient(lat, lon)
    pid = desk.send_one(patient["id"])["id"]
    url = f"/prescriptions/{pid}/cancel"

    for body in ({"reason": ""}, {"reason": "   "}):
        blank = desk.operator.post(url, json=body)
        assert blank.status_code == 422
        assert blank.json()["code"] == "reason_required"
        assert "Le motif d'annulation est obligatoire" in blank.json()["detail"]
    assert desk.operator.post(url, json={}).status_code == 422
    assert desk.get(pid)["state"] == "pending"
    seq = desk.feed_seq()

    cancelled = desk.operator.post(url, json={"reason": "Patient hospitalisé"})
    assert cancelled.status_code == 200, cancelled.text
    view = cancelled.json()
    assert (view["state"], view["state_label"], view["cancel_reason"]) == (
        "cancelled",
        "Annulé",
        "Patient hospitalisé",
    )
    assert view["closed_at"] is not None
    assert desk.answers(pid) == {responder.id: "cancelled"}
    assert pid not in responder.offer_ids()
    again = desk.operator.post(url, json={"reason": "Encore"})
    assert (again.status_code, again.json()["detail"]) == (409, "Cette demande a été annulée")
    events = desk.events(seq, pid)
    assert [e["type"] for e in events] == ["prescription_cancelled"]
    assert events[0]["data"]["reason"] == "Patient hospitalisé"

    renewed = desk.operator.post(f"/prescriptions/{pid}/renew", json={"response_delay_minutes": 30})
    assert renewed.status_code == 200, renewed.text
    view = renewed.json()
    assert (view["state"], view["round"], view["cancel_reason"], view["notified_count"]) == (
        "pending",
        2,
        None,
        1,
    )
    assert desk.answers(pid, 2) == {responder.id: None}
    assert pid in responder.offer_ids()
