"""Pure rules of the professionals' side: the anonymised area, the week of notification hours."""

from __future__ import annotations

import itertools

import pytest
from pydantic import ValidationError

from server.services.matching import distance_km
from server.services.prescription_views import approximate_area
from server.services.profile import days_of, windows_of
from shared.schemas.admin import Hours
from shared.schemas.professional import DaySchedule, ProfileUpdate
from shared.validation import ValidationFailure


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (48.62913, 2.44071),
        (41.9190, 8.7380),
        (-21.1151, 55.5364),
        (14.6161, -61.0588),
        (69.65, 18.96),
        (0.001, -0.001),
    ],
)
def test_the_area_holds_the_point_and_hides_it(lat: float, lon: float) -> None:
    centre_lat, centre_lon, radius = approximate_area(lat, lon)
    assert distance_km(lat, lon, centre_lat, centre_lon) <= radius <= 2.0
    # Every point of the same cell gets the same area: nothing finer than the cell is told.
    for d_lat, d_lon in itertools.product((-0.004, 0.004), repeat=2):
        nudged = (lat + d_lat, lon + d_lon)
        if approximate_area(*nudged)[:2] == (centre_lat, centre_lon):
            assert approximate_area(*nudged) == (centre_lat, centre_lon, radius)


def test_neighbouring_cells_tile_the_plane() -> None:
    seen = {approximate_area(48.6 + i * 0.001, 2.4 + j * 0.001)[:2] for i in range(60) for j in range(60)}
    # 0.06° square: 3 to 4 rows of 0.02°, by 2 to 3 columns of 0.02° / cos 48.6° ≈ 0.030°.
    assert 6 <= len(seen) <= 12


def test_a_week_round_trips_through_the_stored_windows() -> None:
    assert windows_of([]) == []
    assert days_of([]) == [DaySchedule(weekday=d) for d in range(7)]
    week = [
        DaySchedule(
            weekday=0,
            state="custom",
            hours=[Hours(start="14:00", end="18:00"), Hours(start="08:00", end="12:00")],
        ),
        DaySchedule(weekday=2, state="off"),
    ]
    stored = windows_of(week)
    assert stored[:2] == [
        {"weekday": 0, "start": "08:00", "end": "12:00"},
        {"weekday": 0, "start": "14:00", "end": "18:00"},
    ]
    assert {"weekday": 1, "start": "00:00", "end": "24:00"} in stored
    assert not [w for w in stored if w["weekday"] == 2]
    back = days_of(stored)
    assert [d.state for d in back] == ["custom", "all_day", "off", "all_day", "all_day", "all_day", "all_day"]
    assert back[0].hours == [Hours(start="08:00", end="12:00"), Hours(start="14:00", end="18:00")]
    assert windows_of(back) == stored


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"notification_windows": [{"weekday": d, "state": "off"} for d in range(7)]}, "windows_all_off"),
        ({"notification_windows": [{"weekday": 1}, {"weekday": 1}]}, "weekday_repeated"),
        ({"care_modes": ["office", "office"]}, "care_mode_repeated"),
    ],
)
def test_profile_updates_refused_before_any_database(body: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ProfileUpdate.model_validate(body)
    failure = raised.value.errors()[0]["ctx"]["error"]
    assert isinstance(failure, ValidationFailure)
    assert failure.code == code
