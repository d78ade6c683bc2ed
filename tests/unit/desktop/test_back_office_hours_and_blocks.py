"""The back office's « Pref. Notifs » rows (three states per weekday, custom hours typed as text,
checked in French, sent only when changed) and the users' rows showing a login block in Paris time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.state.back_office.accounts import FormInvalid, UserRow, blocked_label
from desktop.state.back_office.notification_hours import (
    DayRow,
    NotificationWeek,
    clock,
    settings_body,
)
from desktop.state.back_office.professionals import SettingsForm
from shared.domain import Availability, Role
from shared.schemas.admin import Hours
from shared.schemas.back_office import AdminUserOut
from shared.schemas.professional import Channels, DaySchedule, ProfileOut


def _profile(days: list[DaySchedule] | None = None) -> ProfileOut:
    return ProfileOut(
        availability=Availability.BOTH,
        availability_label="Disponible (C&V)",
        unavailable_until=None,
        resumes_as=None,
        notification_windows=days or [DaySchedule(weekday=d) for d in range(7)],
        care_modes=["visit", "office"],
        radius_km=10.0,
        communes=["91228"],
        served_communes=[],
        channels=Channels(),
        timezone="Europe/Paris",
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("8", "08:00"), ("8h", "08:00"), ("8h30", "08:30"), ("08:30", "08:30"), ("24:00", "24:00"),
     ("24h", "24:00"), ("24:30", None), ("25", None), ("8:75", None), ("huit", None), ("", None)],
)  # fmt: skip
def test_clock(typed: str, expected: str | None) -> None:
    assert clock(typed) == expected


@pytest.mark.parametrize(
    ("typed", "spans"),
    [
        ("08:00-12:00 14:00-18:00", [("08:00", "12:00"), ("14:00", "18:00")]),
        ("14h-18h, 8h à 12h30", [("08:00", "12:30"), ("14:00", "18:00")]),
        ("08:00 - 12:00 14:00 – 24:00", [("08:00", "12:00"), ("14:00", "24:00")]),
    ],
)
def test_custom_hours_are_read_in_the_usual_french_ways(typed: str, spans: list[tuple[str, str]]) -> None:
    assert DayRow(1, "custom", typed).spans() == spans


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Pref. Notifs, mardi : indiquez au moins une plage (ex. 08:00-12:00 14:00-18:00)"),
        ("matin", "Pref. Notifs, mardi : plage illisible « matin » (HH:MM-HH:MM attendu)"),
        ("08:00-25:00", "Pref. Notifs, mardi : heure invalide « 25:00 » (HH:MM attendu)"),
        ("12:00-08:00", "Pref. Notifs, mardi : la plage 12:00-08:00 doit finir après son début "
                        "(24:00 pour minuit)"),
        ("8-12 11-13", "Pref. Notifs, mardi : les plages 08:00-12:00 et 11:00-13:00 se chevauchent"),
        (" ".join(f"{h}-{h + 1}" for h in range(11)), "Pref. Notifs, mardi : 10 plages au plus"),
    ],
)  # fmt: skip
def test_wrong_hours_are_refused_in_french_and_kept(typed: str, message: str) -> None:
    week = NotificationWeek()
    week.days[1] = DayRow(1, "custom", typed)
    with pytest.raises(FormInvalid) as refused:
        week.schedules()
    assert str(refused.value) == message
    assert week.days[1].hours == typed  # nothing typed is lost


def test_hours_typed_for_a_day_not_custom_are_kept_but_not_sent() -> None:
    week = NotificationWeek()
    week.days[6] = DayRow(6, "off", "n'importe quoi")
    assert week.errors() == {}
    assert week.schedules()[6] == {"weekday": 6, "state": "off", "hours": []}


def test_the_week_round_trips_through_the_profile_and_is_sent_only_when_changed() -> None:
    profile = _profile()
    week = NotificationWeek.of(profile)
    assert [(d.state, d.hours) for d in week.days] == [("all_day", "")] * 7
    assert week.summary() == "toute la journée, tous les jours"
    form = SettingsForm.of(profile)
    assert settings_body(form, week, profile) == {}

    week.days[1] = DayRow(1, "custom", "8h-12h")
    week.days[6] = DayRow(6, "off")
    body = settings_body(form, week, profile)
    assert list(body) == ["notification_windows"]
    windows = body["notification_windows"]
    assert isinstance(windows, list)
    assert windows[1] == {"weekday": 1, "state": "custom", "hours": [{"start": "08:00", "end": "12:00"}]}
    assert windows[6] == {"weekday": 6, "state": "off", "hours": []}
    assert [w["state"] for w in windows] == [
        "all_day",
        "custom",
        "all_day",
        "all_day",
        "all_day",
        "all_day",
        "off",
    ]
    assert week.summary() == "Mar 08:00-12:00 · Dim indisponible"

    # What the server gives back reads as the same week: nothing more to send.
    saved = _profile([DaySchedule.model_validate(w) for w in windows])
    again = NotificationWeek.of(saved)
    assert [(d.state, d.hours) for d in again.days][1] == ("custom", "08:00-12:00")
    assert settings_body(SettingsForm.of(saved), again, saved) == {}


def test_every_wrong_field_of_the_dialog_is_told_at_once() -> None:
    profile = _profile()
    week = NotificationWeek.of(profile)
    week.days[0] = DayRow(0, "custom", "18:00-08:00")
    form = SettingsForm(Availability.BOTH, "0", "91228")
    with pytest.raises(FormInvalid) as refused:
        settings_body(form, week, profile)
    assert set(refused.value.errors) == {"Rayon", "Pref. Notifs, lundi"}


def test_an_existing_custom_day_with_two_ranges_is_shown_as_typed() -> None:
    day = DaySchedule(
        weekday=2,
        state="custom",
        hours=[Hours(start="08:00", end="12:00"), Hours(start="14:00", end="18:00")],
    )
    week = NotificationWeek.of(_profile([day]))
    assert (week.days[2].state, week.days[2].hours) == ("custom", "08:00-12:00 14:00-18:00")
    assert week.days[0].state == "all_day"


def test_a_blocked_user_shows_until_when_in_paris_time() -> None:
    winter = datetime(2026, 12, 4, 22, 45, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 10, 0, 30, tzinfo=UTC)
    assert blocked_label(winter) == "connexion bloquée jusqu'au 04/12/2026 23:45"
    assert blocked_label(summer) == "connexion bloquée jusqu'au 01/07/2026 12:00"
    user = AdminUserOut(id=4, username="martine", role=Role.OPERATOR, display_name="M", network_ids=[])
    assert UserRow.of(user, {}).cells[-1] == "Actif"
    assert not UserRow.of(user, {}).blocked
    blocked = UserRow.of(user.model_copy(update={"blocked_until": winter}), {})
    assert blocked.cells[-1] == "Actif · connexion bloquée jusqu'au 04/12/2026 23:45"
    assert blocked.blocked
