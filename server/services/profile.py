"""A professional's « Profil Activité »: status, pause, notification hours, care preferences,
communes served and channels. Matching reads the same rows (server/services/pool.py), so a change
applies to the next prescription sent.

Stored forms: the weekly hours as the responder's notification windows (`[]` = all day, every
day; otherwise a weekday without a window is off, and « all day » is 00:00–24:00), the care
preferences as two flags, the communes served as rows of `professional_communes`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from server.errors import Invalid, not_found
from server.geo.communes import commune_index
from server.models import ProfessionalCommune, ProfessionalProfile
from server.services.acting import Acting
from shared.domain import Availability
from shared.schemas.admin import AvailabilityUpdate, Hours
from shared.schemas.professional import (
    CareModeChoice,
    Channels,
    DaySchedule,
    ProfileOut,
    ProfileUpdate,
    ServedCommune,
)

ALL_DAY = ("00:00", "24:00")
PAUSE_MIN, PAUSE_MAX = timedelta(minutes=59), timedelta(hours=48)


def windows_of(days: list[DaySchedule]) -> list[dict[str, Any]]:
    """The stored windows of a week given day by day (days left out: all day)."""
    by_day = {d.weekday: d for d in days}
    week = [by_day.get(w) or DaySchedule(weekday=w) for w in range(7)]
    if all(d.state == "all_day" for d in week):
        return []
    windows: list[dict[str, Any]] = []
    for day in week:
        if day.state == "all_day":
            windows.append({"weekday": day.weekday, "start": ALL_DAY[0], "end": ALL_DAY[1]})
        elif day.state == "custom":
            spans = sorted((h.start, h.end) for h in day.hours)
            windows += [{"weekday": day.weekday, "start": s, "end": e} for s, e in spans]
    return windows


def days_of(windows: list[dict[str, Any]]) -> list[DaySchedule]:
    """The week, Monday first, in the FAQ's three states."""
    if not windows:
        return [DaySchedule(weekday=w) for w in range(7)]
    days = []
    for weekday in range(7):
        spans = sorted((w["start"], w["end"]) for w in windows if w["weekday"] == weekday)
        if not spans:
            days.append(DaySchedule(weekday=weekday, state="off"))
        elif spans == [ALL_DAY]:
            days.append(DaySchedule(weekday=weekday))
        else:
            hours = [Hours(start=s, end=e) for s, e in spans]
            days.append(DaySchedule(weekday=weekday, state="custom", hours=hours))
    return days


def check_pause(until: datetime, now: datetime) -> None:
    """« Indisponible entre 1h et 48h » (seeds)."""
    if not PAUSE_MIN <= until - now <= PAUSE_MAX:
        raise Invalid(
            "unavailable_range", "Indisponibilité temporaire : entre 1 h et 48 h à partir de maintenant"
        )


def _profile(session: Session, user_id: int) -> ProfessionalProfile:
    profile = session.get(ProfessionalProfile, user_id, with_for_update=True)
    if profile is None:
        raise not_found("Profil professionnel")
    return profile


def _set_status(
    profile: ProfessionalProfile, status: Availability | None, until: datetime | None, now: datetime
) -> None:
    """A status, or a pause until `until`: « unavailable » with an end gives back the status held
    before (« Disponible (C&V) » when there was none)."""
    if until is not None:
        check_pause(until, now)
    if status is None:
        status = Availability(profile.availability)
    if status == Availability.UNAVAILABLE and until is not None:
        held = Availability(profile.availability)
        status = held if held != Availability.UNAVAILABLE else Availability.BOTH
    profile.availability, profile.unavailable_until = status.value, until


def _set_communes(session: Session, user_id: int, codes: list[str]) -> None:
    index = commune_index()
    unknown = sorted({c for c in codes if c not in index.by_code})
    if unknown:
        raise Invalid("commune_unknown", f"Commune inconnue : {', '.join(unknown)}")
    session.execute(delete(ProfessionalCommune).where(ProfessionalCommune.user_id == user_id))
    if codes:
        rows = [{"commune_insee": c, "user_id": user_id} for c in sorted(set(codes))]
        session.execute(insert(ProfessionalCommune), rows)


def served(session: Session, user_id: int) -> list[str]:
    query = select(ProfessionalCommune.commune_insee).where(ProfessionalCommune.user_id == user_id)
    return sorted(session.scalars(query))


def profile_out(session: Session, profile: ProfessionalProfile, now: datetime) -> ProfileOut:
    paused = profile.unavailable_until is not None and profile.unavailable_until > now
    status = Availability.UNAVAILABLE if paused else Availability(profile.availability)
    label = status.label
    if paused and profile.unavailable_until is not None:
        local = profile.unavailable_until.astimezone(ZoneInfo(profile.timezone))
        label = f"Indisponible jusqu'au {local:%d/%m} à {local:%H:%M}"
    codes = served(session, profile.user_id)
    index = commune_index()
    communes = []
    for code in codes:
        known = index.by_code.get(code)
        postal = known.postal_codes[0] if known and known.postal_codes else None
        name = known.name if known else None
        communes.append(ServedCommune(insee_code=code, name=name, postal_code=postal))
    modes: list[CareModeChoice] = []
    if profile.care_visits:
        modes.append("visit")
    if profile.care_office:
        modes.append("office")
    return ProfileOut(
        availability=status,
        availability_label=label,
        unavailable_until=profile.unavailable_until if paused else None,
        resumes_as=Availability(profile.availability) if paused else None,
        notification_windows=days_of(profile.notification_windows),
        care_modes=modes,
        radius_km=profile.radius_km,
        communes=codes,
        served_communes=communes,
        channels=Channels.model_validate(profile.channels or {}),
        timezone=profile.timezone,
    )


def update_profile(session: Session, user_id: int, body: ProfileUpdate, now: datetime) -> ProfessionalProfile:
    profile = _profile(session, user_id)
    sent = body.model_fields_set
    if sent & {"availability", "unavailable_until"}:
        # A status given alone ends a pause; an end given alone pauses the current status.
        _set_status(profile, body.availability, body.unavailable_until, now)
    if body.notification_windows is not None:
        profile.notification_windows = windows_of(body.notification_windows)
    if body.care_modes is not None:
        profile.care_visits, profile.care_office = "visit" in body.care_modes, "office" in body.care_modes
    if body.radius_km is not None:
        profile.radius_km = body.radius_km
    if body.communes is not None:
        _set_communes(session, user_id, body.communes)
    if body.channels is not None:
        profile.channels = body.channels.model_dump()
    return profile


# ---- use cases (the professional themselves; profiles are not patient data, changes are audited) ----


def read(acting: Acting) -> ProfileOut:
    with acting.transaction("profile_read") as tx:
        return profile_out(tx.session, _profile(tx.session, acting.principal.id), acting.now)


def update(acting: Acting, body: ProfileUpdate) -> ProfileOut:
    fields = sorted(body.model_fields_set)
    with acting.transaction("profile_update", fields=fields) as tx:
        profile = update_profile(tx.session, acting.principal.id, body, acting.now)
        acting.audit(tx.session, "profile_update", fields=fields)
        tx.session.flush()
        return profile_out(tx.session, profile, acting.now)


def set_availability(acting: Acting, body: AvailabilityUpdate) -> AvailabilityUpdate:
    """`PUT /me/availability`: the status, and a pause of 1 to 48 h if `unavailable_until` is given."""
    with acting.transaction("availability_update") as tx:
        profile = _profile(tx.session, acting.principal.id)
        _set_status(profile, body.availability, body.unavailable_until, acting.now)
        acting.audit(tx.session, "profile_update", fields=["availability", "unavailable_until"])
        return AvailabilityUpdate(availability=body.availability, unavailable_until=body.unavailable_until)
