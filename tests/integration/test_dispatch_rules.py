"""Who is notified of a prescription: priority window, radius, availability, network, validation.

Runs on a server of this module's own (`clock_server`), whose clock the tests move forward; every
test works at a place of its own (tests/support/dispatch.py), so other tests' responders are never
within reach.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.support.dispatch import EARTH_RADIUS_KM, Desk, north, parse_time, place, prescription
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def desk(clock_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(clock_server)
    yield desk
    desk.close()


def test_usual_professional_alone_during_the_priority_window_then_the_pool(desk: Desk) -> None:
    lat, lon = place()
    usual = desk.responder(*north(lat, lon, 50))  # far away: distance does not filter usual professionals
    near_usual = desk.responder(*north(lat, lon, 0.5))  # also within the pool's reach: told once
    pool = [desk.responder(*north(lat, lon, km)) for km in (1, 2)]
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], usual, near_usual)
    seq = desk.feed_seq()

    line = desk.send_one(patient["id"], response_delay_minutes=40)
    assert (line["state"], line["notified_count"]) == ("pending", 2)
    sent = parse_time(desk.get(line["id"])["sent_at"])
    assert parse_time(line["priority_until"]) == sent + timedelta(minutes=20)
    assert parse_time(line["deadline_at"]) == sent + timedelta(minutes=40)
    notes = desk.notifications(line["id"])
    assert {(n["user_id"], n["usual"], n["answer"]) for n in notes} == {
        (usual.id, True, None),
        (near_usual.id, True, None),
    }
    assert line["id"] in usual.offer_ids()
    assert line["id"] not in pool[0].offer_ids()

    desk.advance(19 * 60)
    assert desk.notified(line["id"]) == {usual.id, near_usual.id}
    assert desk.get(line["id"])["notified_count"] == 2

    desk.advance(2 * 60)  # past 50 % of the delay: the pool joins
    notes = desk.notifications(line["id"])
    assert len(notes) == 4
    by_user = {n["user_id"]: n for n in notes}
    assert [by_user[r.id]["usual"] for r in (usual, near_usual, *pool)] == [True, True, False, False]
    assert desk.get(line["id"])["notified_count"] == 4
    for responder in (usual, near_usual, *pool):  # the usual professionals keep seeing it
        assert line["id"] in responder.offer_ids()
    offers = {o["id"]: o for o in usual.client.get("/me/offers").json()}
    assert offers[line["id"]]["anonymised"] is False
    offers = {o["id"]: o for o in pool[1].client.get("/me/offers").json()}
    assert offers[line["id"]]["anonymised"] is True

    events = desk.events(seq, line["id"])
    assert [e["type"] for e in events] == ["prescription_sent", "prescription_pool_opened"]
    assert events[1]["data"]["added"] == 2
    assert events[1]["data"]["notified_count"] == 4


def test_without_a_registered_usual_professional_the_pool_is_notified_at_once(desk: Desk) -> None:
    lat, lon = place()
    pool = {desk.responder(*north(lat, lon, km)).id for km in (0.5, 3)}
    physio = desk.responder(lat, lon, profession_code="70")
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], physio)  # a usual professional, but not of the profession asked

    line = desk.send_one(patient["id"], response_delay_minutes=30)
    assert line["priority_until"] is None
    assert line["notified_count"] == 2
    notes = desk.notifications(line["id"])
    assert {n["user_id"] for n in notes} == pool
    assert not any(n["usual"] for n in notes)


def test_radius_edges_along_a_meridian(desk: Desk) -> None:
    lat, lon = place()
    inside = desk.responder(*north(lat, lon, 9.9), radius_km=10, via_api=True)
    outside = desk.responder(*north(lat, lon, 10.1), radius_km=10, via_api=True)
    wider = desk.responder(*north(lat, lon, -10.1), radius_km=10.5)  # south, with its own larger radius
    patient = desk.patient(lat, lon)

    line = desk.send_one(patient["id"])
    assert line["notified_count"] == 2
    notes = {n["user_id"]: n for n in desk.notifications(line["id"])}
    assert set(notes) == {inside.id, wider.id}
    assert outside.id not in notes
    assert notes[inside.id]["distance_km"] == pytest.approx(9.9, abs=0.01)
    assert notes[wider.id]["distance_km"] == pytest.approx(10.1, abs=0.01)


def test_radius_edge_along_a_parallel(desk: Desk) -> None:
    lat, lon = place()
    km = 9.99
    # The longitude at great-circle distance `km` due east (haversine inverted along the parallel).
    dlon = math.degrees(2 * math.asin(math.sin(km / (2 * EARTH_RADIUS_KM)) / math.cos(math.radians(lat))))
    # A profession nobody else in this module uses: its largest radius is this responder's 10 km.
    east = desk.responder(lat, lon + dlon, radius_km=10, profession_code="94")
    patient = desk.patient(lat, lon)
    line = desk.send_one(patient["id"], profession_code="94", care_type="Bilan ergothérapique")
    assert desk.notified(line["id"]) == {east.id}


def test_availability_against_the_care_mode(desk: Desk) -> None:
    lat, lon = place()
    both, visit, office, unavailable = (
        desk.responder(lat, lon, availability=a).id for a in ("both", "visit", "office", "unavailable")
    )
    patient = desk.patient(lat, lon)
    modes = ("visit", "office", "video", "advice", "telemedicine")
    sent = desk.send(patient["id"], *(prescription(care_mode=m, care_type=f"Soins {m}") for m in modes))
    expected = {
        "visit": {both, visit},
        "office": {both, office},
        "video": {both, visit, office},
        "advice": {both, visit, office},
        "telemedicine": {both, visit, office},
    }
    assert [p["care_type"] for p in sent["prescriptions"]] == [f"Soins {m}" for m in modes]
    for mode, line in zip(modes, sent["prescriptions"], strict=True):
        assert desk.notified(line["id"]) == expected[mode], mode
        assert line["notified_count"] == len(expected[mode]), mode
        assert unavailable not in desk.notified(line["id"])


def test_unavailable_until_excludes_only_until_that_time(desk: Desk) -> None:
    lat, lon = place()
    now = desk.now()
    later = desk.responder(lat, lon)  # the administration sets « Indisponible » for 2 h
    desk.patch_responder(later, unavailable_until=(now + timedelta(hours=2)).isoformat())
    past = desk.responder(lat, lon)
    desk.patch_responder(past, unavailable_until=(now - timedelta(hours=1)).isoformat())
    own = desk.responder(lat, lon, availability="visit")  # the responder sets it, for 3 h
    body = {"availability": "visit", "unavailable_until": (now + timedelta(hours=3)).isoformat()}
    assert own.client.put("/me/availability", json=body).status_code == 200
    back = desk.responder(lat, lon)
    for wrong in (now - timedelta(minutes=10), now + timedelta(hours=49)):  # the seeds: 1 h to 48 h
        refused = back.client.put(
            "/me/availability", json={"availability": "both", "unavailable_until": wrong.isoformat()}
        )
        assert refused.status_code == 422
        assert refused.json() == {
            "detail": "Indisponibilité temporaire : entre 1 h et 48 h à partir de maintenant",
            "code": "unavailable_range",
        }
    patient = desk.patient(lat, lon)

    first = desk.send_one(patient["id"])
    assert desk.notified(first["id"]) == {past.id, back.id}

    desk.advance(2 * 3600 + 60)  # `later` is available again, `own` not yet
    second = desk.send_one(patient["id"])
    assert desk.notified(second["id"]) == {later.id, past.id, back.id}


def test_network_restriction_notifies_members_only(desk: Desk) -> None:
    lat, lon = place()
    network = desk.network()
    member = desk.responder(lat, lon, network_ids=[network])
    desk.responder(lat, lon)  # not a member
    usual = desk.responder(*north(lat, lon, 2))  # the patient's, but not a member either
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], usual)

    sent = desk.send(
        patient["id"],
        prescription(network_id=network, care_type="Restreint au réseau"),
        prescription(care_type="Ouvert à tous"),
    )
    restricted, open_ = sent["prescriptions"]
    assert desk.notified(restricted["id"]) == {member.id}
    assert (restricted["notified_count"], restricted["priority_until"]) == (1, None)
    assert desk.get(restricted["id"])["network_id"] == network
    assert desk.notified(open_["id"]) == {usual.id}  # the usual professional first, alone
    assert open_["priority_until"] is not None

    refused = desk.post_case(patient["id"], prescription(network_id=987654))
    assert refused.status_code == 422
    assert refused.json()["code"] == "network_unknown"
    assert refused.json()["detail"] == "Réseau inconnu : 987654"


def test_nobody_matched_is_a_valid_outcome(desk: Desk) -> None:
    lat, lon = place()
    nurse = desk.responder(lat, lon)
    patient = desk.patient(lat, lon)
    sent = desk.send(
        patient["id"],
        prescription(care_type="Pansement"),
        prescription(profession_code="91", care_type="Bilan orthophonique"),
    )
    counts = [(p["profession"], p["notified_count"], p["state"]) for p in sent["prescriptions"]]
    assert counts == [("Infirmier", 1, "pending"), ("Orthophoniste", 0, "pending")]
    assert desk.notifications(sent["prescriptions"][1]["id"]) == []

    # Without a location nobody can be judged near, even a responder next door.
    nowhere = desk.patient(None, None)
    line = desk.send_one(nowhere["id"])
    assert (line["notified_count"], line["state"]) == (0, "pending")
    assert line["id"] not in nurse.offer_ids()


def test_a_case_of_several_professions_answers_per_prescription(desk: Desk) -> None:
    lat, lon = place()
    nurses = {desk.responder(lat, lon).id for _ in range(2)}
    physio = desk.responder(lat, lon, profession_code="70").id
    patient = desk.patient(lat, lon)
    seq = desk.feed_seq()
    sent = desk.send(
        patient["id"],
        prescription(care_type="Pansement"),
        prescription(profession_code="70", care_type="Kiné respiratoire"),
        prescription(profession_code="10", care_type="Consultation", care_mode="office"),
    )
    assert sent["number"] == str(30_000_000 + sent["case_id"])
    lines = sent["prescriptions"]
    assert [(p["profession"], p["care_type"], p["notified_count"]) for p in lines] == [
        ("Infirmier", "Pansement", 2),
        ("Masseur-kinésithérapeute", "Kiné respiratoire", 1),
        ("Médecin", "Consultation", 0),
    ]
    assert len({p["id"] for p in lines}) == 3
    assert desk.notified(lines[0]["id"]) == nurses
    assert desk.notified(lines[1]["id"]) == {physio}
    for line in lines:
        view = desk.get(line["id"])
        assert (view["case_id"], view["case_number"]) == (sent["case_id"], sent["number"])
        [event] = desk.events(seq, line["id"])
        assert (event["type"], event["case_id"]) == ("prescription_sent", sent["case_id"])
        assert event["data"]["notified_count"] == line["notified_count"]


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        (
            {"intervention_at": "2027-07-14T09:30:00", "intervention_tz": "Europe/Paris"},
            "intervention_both",
            "Indiquez une date d'intervention OU un délai d'intervention, pas les deux",
        ),
        (
            {"intervention_delay_minutes": None},
            "intervention_missing",
            "Indiquez une date d'intervention ou un délai d'intervention",
        ),
        (
            {"intervention_delay_minutes": None, "intervention_at": "2027-07-14T09:30:00"},
            "intervention_tz_missing",
            "Indiquez le fuseau horaire de la date d'intervention",
        ),
        (
            {
                "intervention_delay_minutes": None,
                "intervention_at": "2027-07-14T09:30:00",
                "intervention_tz": "Europe/Atlantis",
            },
            "timezone_unknown",
            "Fuseau horaire non pris en charge : « Europe/Atlantis »",
        ),
        (
            {"intervention_tz": "Europe/Paris"},
            "intervention_tz_alone",
            "Le fuseau horaire accompagne une date d'intervention",
        ),
        ({"comment": ""}, "comment_required", "Le commentaire est obligatoire"),
        ({"comment": "  \n\t "}, "comment_required", "Le commentaire est obligatoire"),
    ],
)
def test_invalid_prescriptions_are_refused(
    desk: Desk, changes: dict[str, object], code: str, message: str
) -> None:
    patient = desk.patient(*place())
    response = desk.post_case(patient["id"], prescription(**changes))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert message in response.json()["detail"]
    timeline = desk.operator.get(f"/patients/{patient['id']}/timeline").json()
    assert [e for e in timeline if e["kind"] == "case"] == []  # nothing was sent


def test_a_comment_is_required(desk: Desk) -> None:
    patient = desk.patient(*place())
    body = prescription()
    del body["comment"]
    response = desk.post_case(patient["id"], body)
    assert response.status_code == 422
    assert response.json()["code"] == "missing"


def test_a_naive_intervention_time_is_read_in_its_time_zone(desk: Desk) -> None:
    patient = desk.patient(*place())
    given = [
        ("2027-07-14T09:30:00", "Europe/Paris", "2027-07-14T07:30:00+00:00"),
        ("2027-01-14T09:30:00", "Europe/Paris", "2027-01-14T08:30:00+00:00"),
        ("2027-07-14T09:30:00", "America/Martinique", "2027-07-14T13:30:00+00:00"),
        ("2027-07-14T09:30:00", "Indian/Reunion", "2027-07-14T05:30:00+00:00"),
        ("2027-07-14T09:30:00+02:00", "Europe/Paris", "2027-07-14T07:30:00+00:00"),
    ]
    sent = desk.send(
        patient["id"],
        *(
            prescription(intervention_delay_minutes=None, intervention_at=at, intervention_tz=tz)
            for at, tz, _ in given
        ),
    )
    for (_, tz, utc), line in zip(given, sent["prescriptions"], strict=True):
        view = desk.get(line["id"])
        assert parse_time(view["intervention_at"]) == parse_time(utc), (tz, view["intervention_at"])
        assert (view["intervention_tz"], view["intervention_delay_minutes"]) == (tz, None)
