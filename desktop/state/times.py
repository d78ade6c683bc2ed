"""Every time the desktop shows, in one zone — never the workstation's.

A case's times are shown in the case's own zone where it has one (its `intervention_tz`: an
overseas intervention), else in the platform's, Europe/Paris; a patient's in the zone of their
commune. Every display of a moment goes through this module: `tests/unit/desktop/test_one_time_zone.py`
fails on a bare `.astimezone()`, a naive `datetime.now()` or `date.today()` anywhere in `desktop/`.

A naive datetime (none should reach here: the API's are aware) is taken as UTC, the server's
zone, rather than as the workstation's local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PLATFORM_ZONE_NAME = "Europe/Paris"
PLATFORM_ZONE = ZoneInfo(PLATFORM_ZONE_NAME)
# The overseas communes' zones, by the first three digits of the INSEE code.
OVERSEAS_ZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
}
ZONE_PLACES = {
    "Europe/Paris": "Paris",
    "America/Guadeloupe": "Guadeloupe",
    "America/Martinique": "Martinique",
    "America/Cayenne": "Guyane",
    "Indian/Reunion": "La Réunion",
    "America/Miquelon": "Saint-Pierre-et-Miquelon",
    "Indian/Mayotte": "Mayotte",
    "America/St_Barthelemy": "Saint-Barthélemy",
    "America/Marigot": "Saint-Martin",
}


def zone_named(name: str | None) -> ZoneInfo:
    """The zone of that name; the platform's when there is none or it is unknown."""
    if not name:
        return PLATFORM_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return PLATFORM_ZONE


def zone_of_commune(code: str | None) -> ZoneInfo:
    """A patient's zone: an overseas commune's, else the platform's. `code` is the INSEE code or
    the postal code (their first three digits name the overseas department; Saint-Barthélemy and
    Saint-Martin, 977/978 by INSEE but 971xx by post, share Guadeloupe's offset)."""
    return zone_named(OVERSEAS_ZONES.get((code or "")[:3]))


def in_zone(at: datetime, zone: tzinfo = PLATFORM_ZONE) -> datetime:
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(zone)


def stamp(at: datetime, zone: tzinfo = PLATFORM_ZONE) -> str:
    """« 08/08/22 14:11 », the seeds' « Horodatage »."""
    return f"{in_zone(at, zone):%d/%m/%y %H:%M}"


def date_time(at: datetime, zone: tzinfo = PLATFORM_ZONE) -> str:
    """« 08/08/2022 14:11 »."""
    return f"{in_zone(at, zone):%d/%m/%Y %H:%M}"


def day_time(at: datetime, zone: tzinfo = PLATFORM_ZONE) -> str:
    """« 08/08 14:11 » (the call log)."""
    return f"{in_zone(at, zone):%d/%m %H:%M}"


def clock_time(at: datetime, zone: tzinfo = PLATFORM_ZONE) -> str:
    """« 14:11:05 »."""
    return f"{in_zone(at, zone):%H:%M:%S}"


def iso(at: datetime, zone: tzinfo = PLATFORM_ZONE) -> str:
    """ISO 8601 with the zone's offset: « 2022-08-08T14:11:05+02:00 »."""
    return in_zone(at, zone).isoformat()


def place_of(zone: tzinfo) -> str:
    key = getattr(zone, "key", None) or str(zone)
    return ZONE_PLACES.get(key, key)


def zone_note(zone: tzinfo) -> str:
    """« heure de La Réunion » for a zone other than the platform's, else nothing."""
    if getattr(zone, "key", None) == PLATFORM_ZONE_NAME:
        return ""
    return f"heure de {place_of(zone)}"


def hour_of(at: datetime, zone: tzinfo = PLATFORM_ZONE) -> int:
    return in_zone(at, zone).hour


def start_of_day(at: datetime, zone: tzinfo = PLATFORM_ZONE) -> datetime:
    """Midnight of that moment's day in the zone."""
    return in_zone(at, zone).replace(hour=0, minute=0, second=0, microsecond=0)


def today(zone: tzinfo = PLATFORM_ZONE, now: datetime | None = None) -> date:
    """Today's date on the platform (birth dates « not in the future »), not the workstation's."""
    return in_zone(now or datetime.now(UTC), zone).date()
