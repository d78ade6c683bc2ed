"""« Profil Activité » over HTTP: what it holds, what it refuses, and that matching follows it at
once (the next case sent)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.care_scenes import ok, open_desk, refused
from tests.support.dispatch import PARIS, Desk, Responder, north, place
from tests.support.live import LiveServer

# A commune no other test uses: a responder serving it is offered only this module's patients.
SERVED = "48001"


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    yield from open_desk(server)


def put(who: Responder, **changes: Any) -> dict[str, Any]:
    answer: dict[str, Any] = ok(who.client.put("/me/profile", json=changes))
    return answer


def notified(desk: Desk, patient_id: int, **overrides: Any) -> set[int]:
    return desk.notified(desk.send_one(patient_id, **overrides)["id"])


def test_the_default_profile_and_a_round_trip(desk: Desk) -> None:
    who = desk.responders(1, *place())[0]
    profile = ok(who.client.get("/me/profile"))
    assert profile == {
        "availability": "both",
        "availability_label": "Disponible (C&V)",
        "unavailable_until": None,
        "resumes_as": None,
        "notification_windows": [{"weekday": d, "state": "all_day", "hours": []} for d in range(7)],
        "care_modes": ["visit", "office"],
        "radius_km": 10.0,
        "communes": [],
        "served_communes": [],
        "channels": {"push": True, "sms": False, "email": False, "events": None},  # events: defaults
        "timezone": "Europe/Paris",
    }
    week = [
        {
            "weekday": 0,
            "state": "custom",
            "hours": [{"start": "14:00", "end": "18:00"}, {"start": "08:00", "end": "12:00"}],
        },
        {"weekday": 6, "state": "off"},
    ]
    changed = put(
        who,
        notification_windows=week,
        care_modes=["office"],
        radius_km=25,
        communes=["91228", "91174"],
        channels={"sms": True},
    )
    assert changed["notification_windows"][0] == {
        "weekday": 0,
        "state": "custom",
        "hours": [{"start": "08:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}],
    }
    assert [d["state"] for d in changed["notification_windows"]] == ["custom", *["all_day"] * 5, "off"]
    assert (changed["care_modes"], changed["radius_km"], changed["communes"]) == (
        ["office"],
        25.0,
        ["91174", "91228"],
    )
    assert changed["served_communes"][1] == {
        "insee_code": "91228",
        "name": "Évry-Courcouronnes",
        "postal_code": "91000",
    }
    assert changed["channels"] == {"push": True, "sms": True, "email": False, "events": None}
    assert ok(who.client.get("/me/profile")) == changed
    # What is left out stays; the communes are replaced (one removed).
    again = put(who, communes=["91228"])
    assert (again["communes"], again["care_modes"], again["radius_km"]) == (["91228"], ["office"], 25.0)
    put(who, communes=[])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"notification_windows": [{"weekday": 1, "state": "custom"}]}, "hours_missing"),
        (
            {
                "notification_windows": [
                    {"weekday": 1, "state": "off", "hours": [{"start": "08:00", "end": "09:00"}]}
                ]
            },
            "hours_unexpected",
        ),
        (
            {
                "notification_windows": [
                    {
                        "weekday": 1,
                        "state": "custom",
                        "hours": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}],
                    }
                ]
            },
            "hours_overlap",
        ),
        (
            {
                "notification_windows": [
                    {"weekday": 1, "state": "custom", "hours": [{"start": "12:00", "end": "08:00"}]}
                ]
            },
            "window_order",
        ),
        (
            {
                "notification_windows": [
                    {"weekday": 1, "state": "custom", "hours": [{"start": "25:00", "end": "26:00"}]}
                ]
            },
            "validation_error",
        ),
        ({"notification_windows": [{"weekday": 2}, {"weekday": 2, "state": "off"}]}, "weekday_repeated"),
        ({"notification_windows": [{"weekday": d, "state": "off"} for d in range(7)]}, "windows_all_off"),
        ({"notification_windows": [{"weekday": 7}]}, "less_than_equal"),
        ({"care_modes": []}, "too_short"),
        ({"care_modes": ["visit", "visit"]}, "care_mode_repeated"),
        ({"care_modes": ["home"]}, "literal_error"),
        ({"radius_km": 0}, "greater_than"),
        ({"radius_km": 500}, "less_than_equal"),
        ({"radius_km": "loin"}, "float_parsing"),
        ({"communes": ["99999"]}, "commune_unknown"),
        ({"communes": ["abc"]}, "insee_invalid"),
        ({"communes": ["91228"] * 51}, "too_long"),
        ({"availability": "sometimes"}, "enum"),
        ({"channels": {"pigeon": True}}, "extra_forbidden"),
        ({"radius": 5}, "extra_forbidden"),
    ],
)
def test_bad_profiles_are_refused_in_french(desk: Desk, body: dict[str, Any], code: str) -> None:
    who = desk.responders(1, *place())[0]
    before = ok(who.client.get("/me/profile"))
    refused(who.client.put("/me/profile", json=body), 422, code)
    assert ok(who.client.get("/me/profile")) == before


def test_a_pause_of_one_to_48_hours(desk: Desk) -> None:
    lat, lon = place()
    who = desk.responders(1, lat, lon, availability="visit")[0]
    patient = desk.patient(lat, lon)
    now = desk.now()
    for wrong in (now + timedelta(minutes=10), now + timedelta(hours=49)):
        body = {"availability": "unavailable", "unavailable_until": wrong.isoformat()}
        refused(who.client.put("/me/profile", json=body), 422, "unavailable_range")
    until = now + timedelta(hours=2)
    paused = put(who, availability="unavailable", unavailable_until=until.isoformat())
    assert (paused["availability"], paused["resumes_as"]) == ("unavailable", "visit")
    local = until.astimezone(PARIS)
    assert paused["availability_label"] == f"Indisponible jusqu'au {local:%d/%m} à {local:%H:%M}"
    assert who.id not in notified(desk, patient["id"])
    back = put(who, availability="both")  # a status alone ends the pause
    assert (back["availability"], back["unavailable_until"], back["resumes_as"]) == ("both", None, None)
    assert who.id in notified(desk, patient["id"])
    # PUT /me/availability still works, with the same rule.
    body = {"availability": "visit", "unavailable_until": (now + timedelta(hours=3)).isoformat()}
    assert ok(who.client.put("/me/availability", json=body))["availability"] == "visit"
    assert ok(who.client.get("/me/profile"))["resumes_as"] == "visit"
    assert who.id not in notified(desk, patient["id"])


def test_care_preferences_choose_the_care_modes(desk: Desk) -> None:
    lat, lon = place()
    office_only, visits_only, both = desk.responders(3, lat, lon)
    put(office_only, care_modes=["office"])
    put(visits_only, care_modes=["visit"])
    patient = desk.patient(lat, lon)
    assert notified(desk, patient["id"], care_mode="visit") == {visits_only.id, both.id}
    assert notified(desk, patient["id"], care_mode="transport") == {visits_only.id, both.id}
    assert notified(desk, patient["id"], care_mode="office") == {office_only.id, both.id}
    assert notified(desk, patient["id"], care_mode="video") == {office_only.id, visits_only.id, both.id}


def test_notification_hours_per_weekday(desk: Desk) -> None:
    lat, lon = place()
    who, other = desk.responders(2, lat, lon)
    patient = desk.patient(lat, lon)
    local = desk.now().astimezone(PARIS)
    today, hour = local.weekday(), local.hour
    put(who, notification_windows=[{"weekday": today, "state": "off"}])
    assert notified(desk, patient["id"]) == {other.id}
    elsewhere = {"start": "00:00", "end": "01:00"} if hour >= 2 else {"start": "22:00", "end": "23:00"}
    put(who, notification_windows=[{"weekday": today, "state": "custom", "hours": [elsewhere]}])
    assert notified(desk, patient["id"]) == {other.id}
    covering = {"start": "00:00", "end": "24:00" if hour == 23 else f"{hour + 1:02d}:00"}
    put(who, notification_windows=[{"weekday": today, "state": "custom", "hours": [covering]}])
    assert notified(desk, patient["id"]) == {who.id, other.id}
    # « Trois fois : vous revenez sur le paramétrage par défaut ».
    assert put(who, notification_windows=[])["notification_windows"][today]["state"] == "all_day"
    assert notified(desk, patient["id"]) == {who.id, other.id}


def test_radius_and_communes_served(desk: Desk) -> None:
    lat, lon = place()
    far = desk.responders(1, *north(lat, lon, 15))[0]  # 15 km away, radius 10
    serving = desk.responders(1, *north(lat, lon, 60))[0]  # 60 km away, radius 10
    patient = desk.patient(lat, lon, commune_insee=SERVED)
    assert notified(desk, patient["id"]) == set()
    put(far, radius_km=20)
    put(serving, communes=[SERVED])
    try:
        pid = desk.send_one(patient["id"])["id"]
        distances = {n["user_id"]: n["distance_km"] for n in desk.notifications(pid)}
        assert set(distances) == {far.id, serving.id}
        assert distances[serving.id] == pytest.approx(60, abs=0.01)  # beyond its radius, serving the commune
        # Not for the patients of other communes, nor for an office consultation it does not do.
        other = desk.patient(lat, lon)
        assert notified(desk, other["id"]) == {far.id}
        put(serving, care_modes=["visit"])
        assert notified(desk, patient["id"], care_mode="office") == {far.id}
        # Removing the commune removes the offers beyond the radius.
        put(serving, communes=[])
        assert notified(desk, patient["id"]) == {far.id}
    finally:
        put(serving, communes=[])


def test_usual_professionals_keep_their_priority_whatever_the_hours(desk: Desk) -> None:
    lat, lon = place()
    usual = desk.responders(1, *north(lat, lon, 40))[0]
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], usual)
    today = desk.now().astimezone(PARIS).weekday()
    put(usual, notification_windows=[{"weekday": today, "state": "off"}], radius_km=1, care_modes=["office"])
    assert notified(desk, patient["id"]) == {usual.id}
