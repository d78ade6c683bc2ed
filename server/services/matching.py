"""Who is notified of a prescription (domain.md, « Matching » and « Priority »).

Pool: registered, active professionals of the requested profession; whose availability allows the
care mode and who are not « Indisponible » now; whose notification windows (per weekday, in their
own time zone; none = all day) cover now; within their radius of the patient (great-circle
distance); members of the network when the prescription is restricted to one.

Usual professionals (the patient's, of that profession, with an account here) are notified first
and alone. They know the patient, so distance and hours do not filter them; an explicit
« Indisponible » and the network restriction still do.

The SQL narrows the pool with indexed columns (profession, availability, a latitude band and a
longitude band sized by the largest radius of that profession, itself read from an index), then
with a lower bound of the distance against each row's own radius, which never drops anyone the
exact check would keep; distance and hours are then judged in Python on that short list.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from server.models import Patient, ProfessionalProfile, User, UsualProfessional, user_networks
from shared.domain import Availability, CareMode

EARTH_RADIUS_KM = 6371.0088
AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])
NO_WINDOWS = "[]"  # notification windows as stored for « all day »
WEEKDAYS = 7

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


def _available_now(now: datetime) -> Any:
    return and_(
        ProfessionalProfile.availability != Availability.UNAVAILABLE.value,
        or_(ProfessionalProfile.unavailable_until.is_(None), ProfessionalProfile.unavailable_until <= now),
        User.active.is_(True),
    )


def _in_network(query: AnySelect, network_id: int | None) -> AnySelect:
    if network_id is None:
        return query
    member = exists().where(
        and_(user_networks.c.user_id == ProfessionalProfile.user_id, user_networks.c.network_id == network_id)
    )
    return query.where(member)


def usual_candidates(session: Session, request: Request, patient: Patient, now: datetime) -> list[Candidate]:
    query = (
        select(ProfessionalProfile.user_id)
        .join(User, User.id == ProfessionalProfile.user_id)
        .join(UsualProfessional, UsualProfessional.rpps == ProfessionalProfile.rpps)
        .where(
            UsualProfessional.patient_id == patient.id,
            UsualProfessional.profession_code == request.profession_code,
            ProfessionalProfile.profession_code == request.profession_code,
            _available_now(now),
        )
    )
    user_ids = sorted(set(session.scalars(_in_network(query, request.network_id))))
    return [Candidate(user_id=u, usual=True, distance_km=None) for u in user_ids]


def _near_enough(lat: float, lon: float, dlat: float, dlon: float) -> ColumnElement[bool] | None:
    """A SQL condition that every row of the band within its radius of (lat, lon) satisfies.

    Haversine: a = sin²(Δφ/2) + cos φ₁·cos φ₂·sin²(Δλ/2), distance = 2R·asin(√a) ≥ 2R·√a. In the
    band, |Δ/2| ≤ h with sin x ≥ x·(1 − h²/6), and cos φ₂ ≥ cos(|φ₁| + dlat); so the distance is at
    least R·√(f_φ·Δφ² + C·Δλ²) with the constant factors below, and a row whose bound already
    exceeds its radius cannot be within it (a 1e-6 margin covers rounding). None when the band is
    too wide for the bound to hold (half-angles of a radian or more).
    """
    half_lat, half_lon = math.radians(dlat) / 2, math.radians(dlon) / 2
    if max(half_lat, half_lon) >= 1.0:
        return None
    phi = abs(math.radians(lat))
    cos_far = max(0.0, math.cos(min(math.pi / 2, phi + math.radians(dlat))))
    lat_factor = (1 - half_lat**2 / 6) ** 2
    lon_factor = math.cos(phi) * cos_far * (1 - half_lon**2 / 6) ** 2
    per_km2 = (1 + 1e-6) / math.radians(EARTH_RADIUS_KM) ** 2  # degrees² per km² of the bound
    north = ProfessionalProfile.latitude - lat
    east = ProfessionalProfile.longitude - lon
    radius = ProfessionalProfile.radius_km
    return lat_factor * north * north + lon_factor * east * east <= radius * radius * per_km2


def pool_candidates(
    session: Session, request: Request, patient: Patient, now: datetime, exclude: set[int] | None = None
) -> list[Candidate]:
    if patient.latitude is None or patient.longitude is None:
        return []  # without a location nobody can be judged near: « Aucune ressource disponible »
    accepting = [a.value for a in ACCEPTING[request.care_mode]]
    # One step down the (profession_code, radius_km) index.
    max_radius = session.scalar(
        select(func.max(ProfessionalProfile.radius_km)).where(
            ProfessionalProfile.profession_code == request.profession_code
        )
    )
    if max_radius is None:
        return []
    lat, lon = patient.latitude, patient.longitude
    dlat, dlon = search_band(lat, max_radius)
    query = (
        select(
            ProfessionalProfile.user_id,
            ProfessionalProfile.latitude,
            ProfessionalProfile.longitude,
            ProfessionalProfile.radius_km,
            ProfessionalProfile.timezone,
            # As stored: most professionals have none, and "[]" needs no decoding.
            cast(ProfessionalProfile.notification_windows, String),
        )
        .join(User, User.id == ProfessionalProfile.user_id)
        .where(
            ProfessionalProfile.profession_code == request.profession_code,
            ProfessionalProfile.availability.in_(accepting),
            _available_now(now),
            ProfessionalProfile.latitude.between(lat - dlat, lat + dlat),
            ProfessionalProfile.longitude.between(lon - dlon, lon + dlon),
        )
    )
    near = _near_enough(lat, lon, dlat, dlon)
    if near is not None:
        query = query.where(near)
    # distance_km(lat, lon, …) with the patient's side computed once (the same operations).
    phi1 = math.radians(lat)
    cos_phi1 = math.cos(phi1)
    clocks: dict[str, tuple[int, str]] = {}
    found = []
    for user_id, p_lat, p_lon, radius, tz_name, windows_json in session.execute(
        _in_network(query, request.network_id)
    ):
        if exclude and user_id in exclude:
            continue
        phi2 = math.radians(p_lat)
        dphi, dlambda = phi2 - phi1, math.radians(p_lon - lon)
        a = math.sin(dphi / 2) ** 2 + cos_phi1 * math.cos(phi2) * math.sin(dlambda / 2) ** 2
        distance = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))
        if distance > radius:
            continue
        windows = json.loads(windows_json) if windows_json and windows_json != NO_WINDOWS else None
        if windows:
            clock = clocks.get(tz_name) or clocks.setdefault(tz_name, _local_clock(now, tz_name))
            if not _covers(windows, *clock):
                continue
        found.append(Candidate(user_id=user_id, usual=False, distance_km=round(distance, 2)))
    return sorted(found, key=lambda c: (c.distance_km or 0.0, c.user_id))
