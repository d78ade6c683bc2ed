"""When an intervention takes place: a moment that exists once, in its zone, and is not past.

`intervention_at` comes with `intervention_tz` (the patient's zone: Paris, Martinique…). The
desktop's wizard sends the wall-clock time typed (naive), read in that zone; an API client may
send an offset instead. Refused, with the French message shown next to the prescription's field:

- a wall-clock time **that does not exist** in the zone (2027-03-28 02:30 in Paris: the clocks go
  from 02:00 to 03:00), also when it comes with the offset a library computed for it by default
  (``02:30+01:00``, which is really 03:30);
- a wall-clock time **that exists twice** (2027-10-31 02:30 in Paris), whatever offset came with
  it: the operator who typed it did not choose between the two, and a nurse reading « 02:30 »
  cannot tell which is meant;
- a moment **in the past** by more than ``PAST_TOLERANCE``. One hour, because the hour of
  « right now » is commonly typed as the current hour (14:00 at 14:40), and a case may wait a few
  minutes in the desktop's outbox before it reaches the server; an intervention more than an hour
  ago is a typo (the day, the month or the year) that would otherwise be offered as already late.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from server.errors import Invalid
from shared.schemas.dispatch import PrescriptionCreate

PAST_TOLERANCE = timedelta(hours=1)
DEFAULT_ZONE = "Europe/Paris"


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether the wall-clock time ``wall`` (naive) is shown by the clocks of ``zone``."""
    there = wall.replace(tzinfo=zone)
    return there.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def _twice(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether ``wall`` (naive, existing) is shown twice by the clocks of ``zone``."""
    return wall.replace(tzinfo=zone, fold=0).utcoffset() != wall.replace(tzinfo=zone, fold=1).utcoffset()


def _refused(index: int, code: str, message: str) -> Invalid:
    field = f"prescriptions.{index}.intervention_at"
    detail = f"Déclenchement {index + 1} : {message}"
    return Invalid(code, detail, errors=[{"field": field, "message": message, "code": code}])


def intervention_utc(item: PrescriptionCreate, index: int, now: datetime) -> datetime | None:
    """The intervention's moment (aware), or None without a date; raises `Invalid` as above."""
    if item.intervention_at is None:
        return None
    zone_name = item.intervention_tz or DEFAULT_ZONE
    zone = ZoneInfo(zone_name)
    given = item.intervention_at
    if given.tzinfo is None:
        wall = given
    else:
        wall = given.astimezone(zone).replace(tzinfo=None)
        typed = given.replace(tzinfo=None)
        if given.utcoffset() != given.astimezone(zone).utcoffset() and not _exists(typed, zone):
            wall = typed  # an offset computed for a time the zone's clocks skip
    shown = f"{wall:%d/%m/%Y} à {wall:%H:%M}"
    if not _exists(wall, zone):
        message = (
            f"l'heure {shown} n'existe pas dans le fuseau {zone_name} (changement d'heure : les "
            "horloges sautent cette heure-là) ; choisissez une autre heure"
        )
        raise _refused(index, "intervention_time_nonexistent", message)
    if _twice(wall, zone):
        message = (
            f"l'heure {shown} existe deux fois dans le fuseau {zone_name} (retour à l'heure "
            "d'hiver) ; choisissez une heure avant ou après ce changement"
        )
        raise _refused(index, "intervention_time_ambiguous", message)
    at = given if given.tzinfo is not None else wall.replace(tzinfo=zone)
    if at < now - PAST_TOLERANCE:
        message = (
            f"la date d'intervention ({shown}, {zone_name}) est passée ; indiquez une date à venir "
            "ou un délai d'intervention"
        )
        raise _refused(index, "intervention_in_past", message)
    return at
