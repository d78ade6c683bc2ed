"""Who is notified of a prescription (domain.md, « Matching » and « Priority »).

Pool: registered, active professionals of the requested profession; whose availability and care
preferences (« Pref. PeC »: home visits and/or office) allow the care mode and who are not
« Indisponible » now; whose notification windows (per weekday, in their own time zone; none = all
day) cover now; within their radius of the patient (great-circle distance) or serving the
patient's commune (« or the communes they serve »); members of the network when the prescription
is restricted to one.

Usual professionals (the patient's, of that profession, with an account here) are notified first
and alone. They know the patient, so distance and hours do not filter them; an explicit
« Indisponible » and the network restriction still do.

This module holds the rules; server/services/pool.py turns the pool's into one set-based
statement (the database selects and inserts the notifications itself).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from server.models import Patient
from server.models.base import UtcDateTime
from shared.domain import Availability, CareMode

EARTH_RADIUS_KM = 6371.0088

# Which « Profil activité » statuses accept which care mode.
ACCEPTING: dict[CareMode, tuple[Availability, ...]] = {
    CareMode.VISIT: (Availability.BOTH, Availability.VISIT),
    CareMode.TRANSPORT: (Availability.BOTH, Availability.VISIT),
    CareMode.OFFICE: (Availability.BOTH, Availability.OFFICE),
    # Remote care needs neither a practice nor a journey: any available professional.
    CareMode.VIDEO: (Availability.BOTH, Availability.OFFICE, Availability.VISIT),
    CareMode.ADVICE: (Availability.BOTH, Availability.OFFICE, Availability.VISIT),
    CareMode.TELEMEDICINE: (Availability.BOTH, Availability.OFFICE, Availability.VISIT),
}


# Which care modes the « Pref. PeC » flags judge: a journey to the patient needs « visites à
# domicile », a consultation « consultations au cabinet »; remote care needs neither.
NEEDS_VISITS = (CareMode.VISIT, CareMode.TRANSPORT)
NEEDS_OFFICE = (CareMode.OFFICE,)


@dataclass(frozen=True)
class Candidate:
    user_id: int
    usual: bool
    distance_km: float | None


@dataclass(frozen=True)
class Request:
    """What matching needs to know of a prescription."""

    profession_code: str
    care_mode: CareMode
    network_id: int | None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) on the mean Earth radius."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def _local_clock(now: datetime, tz_name: str) -> tuple[int, str]:
    """(weekday, "HH:MM") of `now` in the zone."""
    local = now.astimezone(ZoneInfo(tz_name))
    return local.weekday(), f"{local.hour:02d}:{local.minute:02d}"


def _covers(windows: list[dict[str, Any]], weekday: int, hhmm: str) -> bool:
    return any(w["weekday"] == weekday and w["start"] <= hhmm < w["end"] for w in windows)


def search_band(lat: float, radius_km: float) -> tuple[float, float]:
    """Half-sizes in degrees (latitude, longitude) of the smallest band holding every point within
    `radius_km` of a point at `lat`, on the same sphere as `distance_km` (a small margin absorbs
    floating-point error). The widest longitude is reached off the parallel: asin(sin d / cos φ)."""
    angle = radius_km / EARTH_RADIUS_KM
    margin = 1e-9
    dlat = math.degrees(angle) * (1 + 1e-9) + margin
    ratio = math.sin(angle) / max(1e-12, math.cos(math.radians(lat)))
    dlon = 180.0 if ratio >= 1 else math.degrees(math.asin(ratio)) * (1 + 1e-9) + margin
    return dlat, dlon


# The patient's usual professionals of the profession with an account here; not « Indisponible »,
# active, and members of the network when the prescription is restricted to one. Fixed text: it
# runs once per prescription sent.
_USUAL = text(
    """
    SELECT DISTINCT p.user_id
    FROM usual_professionals up
    JOIN professional_profiles p ON p.rpps = up.rpps
    JOIN users u ON u.id = p.user_id
    WHERE up.patient_id = :patient_id
      AND up.profession_code = :profession AND p.profession_code = :profession
      AND p.availability != :unavailable
      AND (p.unavailable_until IS NULL OR p.unavailable_until <= :now)
      AND u.active
      AND (CAST(:network_id AS INTEGER) IS NULL OR EXISTS (
            SELECT 1 FROM user_networks n WHERE n.user_id = p.user_id AND n.network_id = :network_id))
    ORDER BY p.user_id
    """
).bindparams(bindparam("now", type_=UtcDateTime()))


def usual_candidates(session: Session, request: Request, patient: Patient, now: datetime) -> list[Candidate]:
    user_ids = session.execute(
        _USUAL,
        {
            "patient_id": patient.id,
            "profession": request.profession_code,
            "unavailable": Availability.UNAVAILABLE.value,
            "now": now,
            "network_id": request.network_id,
        },
    ).scalars()
    return [Candidate(user_id=u, usual=True, distance_km=None) for u in user_ids]


def near_bound(lat: float, dlat: float, dlon: float) -> tuple[float, float, float] | None:
    """Factors (f_φ, f_λ, k) of a test that every row of the band within its radius of a point at
    `lat` passes: f_φ·Δlat² + f_λ·Δlon² ≤ radius²·k (degrees, km).

    Haversine: a = sin²(Δφ/2) + cos φ₁·cos φ₂·sin²(Δλ/2), distance = 2R·asin(√a) ≥ 2R·√a. In the
    band, |Δ/2| ≤ h with sin x ≥ x·(1 − h²/6), and cos φ₂ ≥ cos(|φ₁| + dlat); so the distance is at
    least R·√(f_φ·Δφ² + f_λ·Δλ²), and a row whose bound already exceeds its radius cannot be within
    it (a 1e-6 margin covers rounding). The test lets the database drop most of a city's band from
    the index alone. None when the band is too wide for the bound to hold (half-angles of a radian
    or more).
    """
    half_lat, half_lon = math.radians(dlat) / 2, math.radians(dlon) / 2
    if max(half_lat, half_lon) >= 1.0:
        return None
    phi = abs(math.radians(lat))
    cos_far = max(0.0, math.cos(min(math.pi / 2, phi + math.radians(dlat))))
    lat_factor = (1 - half_lat**2 / 6) ** 2
    lon_factor = math.cos(phi) * cos_far * (1 - half_lon**2 / 6) ** 2
    per_km2 = (1 + 1e-6) / math.radians(EARTH_RADIUS_KM) ** 2  # degrees² per km² of the bound
    return lat_factor, lon_factor, per_km2


@lru_cache(maxsize=4096)
def _parse_windows(windows_json: str) -> list[dict[str, Any]]:
    """Window sets repeat across responders (a few common schedules): parse each text once."""
    parsed: list[dict[str, Any]] = json.loads(windows_json)
    return parsed


def on_duty(schedules: Iterable[tuple[int, str, str]], now: datetime) -> list[int]:
    """Of (user_id, time zone, windows as stored JSON), those whose windows cover `now`."""
    clocks: dict[str, tuple[int, str]] = {}
    covered = []
    for user_id, tz_name, windows_json in schedules:
        clock = clocks.get(tz_name) or clocks.setdefault(tz_name, _local_clock(now, tz_name))
        if _covers(_parse_windows(windows_json), *clock):
            covered.append(user_id)
    return covered
