"""Who is notified of a prescription (domain.md, « Matching » and « Priority »).

Pool: registered, active professionals of the requested profession; whose availability allows the
care mode and who are not « Indisponible » now; whose notification windows (per weekday, in their
own time zone; none = all day) cover now; within their radius of the patient (great-circle
distance); members of the network when the prescription is restricted to one.

Usual professionals (the patient's, of that profession, with an account here) are notified first
and alone. They know the patient, so distance and hours do not filter them; an explicit
« Indisponible » and the network restriction still do.

The SQL narrows the pool with indexed columns (profession, availability, a latitude band and a
longitude band sized by the largest radius of that profession); distance and hours are then
judged in Python on that short list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from server.models import Patient, ProfessionalProfile, User, UsualProfessional, user_networks
from shared.domain import Availability, CareMode

EARTH_RADIUS_KM = 6371.0088
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


def in_notification_window(windows: list[dict[str, Any]], tz_name: str, now: datetime) -> bool:
    if not windows:
        return True
    local = now.astimezone(ZoneInfo(tz_name))
    hhmm = f"{local.hour:02d}:{local.minute:02d}"
    weekday = local.weekday()
    return any(w["weekday"] == weekday and w["start"] <= hhmm < w["end"] for w in windows)


def _available_now(now: datetime) -> Any:
    return and_(
        ProfessionalProfile.availability != Availability.UNAVAILABLE.value,
        or_(ProfessionalProfile.unavailable_until.is_(None), ProfessionalProfile.unavailable_until <= now),
        User.active.is_(True),
    )


def _in_network(query: Select[Any], network_id: int | None) -> Select[Any]:
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


def pool_candidates(
    session: Session, request: Request, patient: Patient, now: datetime, exclude: set[int] | None = None
) -> list[Candidate]:
    if patient.latitude is None or patient.longitude is None:
        return []  # without a location nobody can be judged near: « Aucune ressource disponible »
    accepting = [a.value for a in ACCEPTING[request.care_mode]]
    max_radius = session.scalar(
        select(func.max(ProfessionalProfile.radius_km)).where(
            ProfessionalProfile.profession_code == request.profession_code
        )
    )
    if max_radius is None:
        return []
    lat, lon = patient.latitude, patient.longitude
    dlat = max_radius / 111.0
    dlon = max_radius / (111.320 * max(0.01, math.cos(math.radians(lat))))
    query = (
        select(
            ProfessionalProfile.user_id,
            ProfessionalProfile.latitude,
            ProfessionalProfile.longitude,
            ProfessionalProfile.radius_km,
            ProfessionalProfile.timezone,
            ProfessionalProfile.notification_windows,
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
    found = []
    for user_id, p_lat, p_lon, radius, tz_name, windows in session.execute(
        _in_network(query, request.network_id)
    ):
        if exclude and user_id in exclude:
            continue
        distance = distance_km(lat, lon, p_lat, p_lon)
        if distance <= radius and in_notification_window(windows, tz_name, now):
            found.append(Candidate(user_id=user_id, usual=False, distance_km=round(distance, 2)))
    return sorted(found, key=lambda c: (c.distance_km or 0.0, c.user_id))
