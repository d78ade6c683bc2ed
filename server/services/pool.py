"""Notifying the matched pool of a prescription: one set-based statement, written once.

A pool is often hundreds of responders (thousands in a city), so the database selects and
inserts the notifications itself (INSERT … SELECT): no row travels through Python, and the
statements are fixed SQL text with parameters — built once, not per call — because composing
and caching an expression per prescription cost more Python time than the database's work.

The rules are server/services/matching.py's, in SQL:
- who may take it (`_ELIGIBLE`): profession, accepting availability and care preferences, not
  « Indisponible », an active account (probing the small index of inactive users);
- the band: a latitude/longitude band sized by the profession's largest radius and a lower bound
  of the distance against each row's own radius (all from the band index: on PostgreSQL an
  index-only scan), then the exact great-circle distance (`distance_km`, same operations, same
  order) within the responder's radius;
- or, beyond their radius, the responders who serve the patient's commune (`professional_communes`,
  looked up by commune), with their distance all the same;
- the network restriction;
- notification windows in the responder's own time zone: on PostgreSQL in the statement
  (`AT TIME ZONE`); SQLite has no time zones, so there the few responders with windows are read
  and judged by `matching.on_duty`, and the statement takes their ids.
On PostgreSQL the same statement also queues the webhook deliveries of those notified (a CTE),
through the small index of responders who have a webhook, and adds them to the prescription's
`notified_count`.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from server.models import Patient, Prescription
from server.models.base import UtcDateTime
from server.services.matching import (
    ACCEPTING,
    EARTH_RADIUS_KM,
    NEEDS_OFFICE,
    NEEDS_VISITS,
    near_bound,
    on_duty,
    search_band,
)
from shared.domain import CareMode

_ELIGIBLE = """p.profession_code = :profession
      AND p.availability IN :accepting
      AND (p.care_visits OR NOT :needs_visits) AND (p.care_office OR NOT :needs_office)
      AND (p.unavailable_until IS NULL OR p.unavailable_until <= :now)
      AND NOT EXISTS (SELECT 1 FROM users x WHERE x.id = p.user_id AND NOT x.active)
      AND p.user_id NOT IN :exclude
      AND (CAST(:network_id AS INTEGER) IS NULL OR EXISTS (
            SELECT 1 FROM user_networks n WHERE n.user_id = p.user_id AND n.network_id = :network_id))
"""
_BAND = f"""
    FROM professional_profiles p
    WHERE {_ELIGIBLE}
      AND p.latitude BETWEEN :lat_min AND :lat_max
      AND p.longitude BETWEEN :lon_min AND :lon_max
      AND :lat_factor * (p.latitude - :lat) * (p.latitude - :lat)
          + :lon_factor * (p.longitude - :lon) * (p.longitude - :lon)
          <= p.radius_km * p.radius_km * :per_km2
"""
# Those who serve the patient's commune; the part of them within their radius is the band's already.
# CROSS JOIN: SQLite then reads the commune's few rows first (a plain join let it scan the
# profession's responders and probe each one's communes); PostgreSQL plans it as any join.
_SERVING = f"""
    FROM professional_communes c CROSS JOIN professional_profiles p
    WHERE c.commune_insee = :commune AND p.user_id = c.user_id AND {_ELIGIBLE}"""
# distance_km(lat, lon, p.latitude, p.longitude): 2R·asin(√min(1, sin²(Δφ/2) + cos φ₁·cos φ₂·sin²(Δλ/2)))
_DISTANCE = """
    2 * :earth_radius * asin(sqrt({smaller}(1.0,
        sin((radians(p.latitude) - :phi1) * 0.5) * sin((radians(p.latitude) - :phi1) * 0.5)
        + :cos_phi1 * cos(radians(p.latitude))
          * sin(radians(p.longitude - :lon) * 0.5) * sin(radians(p.longitude - :lon) * 0.5))))
"""
# Windows are [{"weekday": 0 = Monday, "start": "HH:MM", "end": "HH:MM"}], start ≤ local < end.
_ON_DUTY_POSTGRESQL = """
      AND (NOT p.has_windows OR EXISTS (
            SELECT 1 FROM professional_profiles s, json_array_elements(s.notification_windows) w,
                 LATERAL (SELECT CAST(:now AS timestamptz) AT TIME ZONE s.timezone AS wall) clock
            WHERE s.user_id = p.user_id
              AND (w->>'weekday')::int = extract(isodow FROM clock.wall)::int - 1
              AND w->>'start' <= to_char(clock.wall, 'HH24:MI')
              AND to_char(clock.wall, 'HH24:MI') < w->>'end'))
"""
_ON_DUTY_SQLITE = "      AND (NOT p.has_windows OR p.user_id IN :on_duty)\n"
_COLUMNS = "prescription_id, round, user_id, usual, distance_km, notified_at"
# The statements are assembled from the constant fragments above only; every value is a parameter.

_PG_DISTANCE = _DISTANCE.format(smaller="least")
POSTGRESQL = f"""
WITH near AS (
    SELECT p.user_id, p.radius_km, {_PG_DISTANCE} AS distance_km
    {_BAND}{_ON_DUTY_POSTGRESQL}
), serving AS (
    SELECT p.user_id, p.radius_km, {_PG_DISTANCE} AS distance_km
    {_SERVING}{_ON_DUTY_POSTGRESQL}
), matched AS (
    SELECT user_id, distance_km FROM near WHERE distance_km <= radius_km
    UNION ALL
    SELECT user_id, distance_km FROM serving WHERE distance_km > radius_km
), added AS (
    INSERT INTO notifications ({_COLUMNS})
    SELECT :prescription_id, :round, user_id, false, distance_km, :now
    FROM matched
    RETURNING user_id
), hooks AS (
    INSERT INTO webhook_deliveries (user_id, url, payload, attempts, next_attempt_at)
    SELECT p.user_id, p.webhook_url, CAST(:payload AS json), 0, :now
    FROM professional_profiles p
    WHERE p.webhook_url IS NOT NULL AND p.user_id IN (SELECT user_id FROM added)
    RETURNING 1
), counted AS (
    UPDATE prescriptions SET notified_count = notified_count + (SELECT count(*) FROM added)
    WHERE id = :prescription_id
    RETURNING notified_count
)
SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM hooks), (SELECT notified_count FROM counted)
"""  # noqa: S608
_SCHEDULE = "SELECT p.user_id, p.timezone, p.notification_windows"
SQLITE_SCHEDULES = f"{_SCHEDULE} {_BAND} AND p.has_windows UNION ALL {_SCHEDULE} {_SERVING} AND p.has_windows"
_SQLITE_DISTANCE = _DISTANCE.format(smaller="min")
SQLITE_INSERT = f"""
INSERT INTO notifications ({_COLUMNS})
SELECT :prescription_id, :round, user_id, 0, distance_km, :now FROM (
    SELECT p.user_id, p.radius_km, {_SQLITE_DISTANCE} AS distance_km
    {_BAND}{_ON_DUTY_SQLITE}
) WHERE distance_km <= radius_km
UNION ALL
SELECT :prescription_id, :round, user_id, 0, distance_km, :now FROM (
    SELECT p.user_id, p.radius_km, {_SQLITE_DISTANCE} AS distance_km
    {_SERVING}{_ON_DUTY_SQLITE}
) WHERE distance_km > radius_km
"""  # noqa: S608
SQLITE_HOOKS = """
INSERT INTO webhook_deliveries (user_id, url, payload, attempts, next_attempt_at)
SELECT p.user_id, p.webhook_url, :payload, 0, :now
FROM professional_profiles p
WHERE p.webhook_url IS NOT NULL AND p.user_id IN (
    SELECT n.user_id FROM notifications n
    WHERE n.prescription_id = :prescription_id AND n.round = :round AND n.notified_at = :now)
"""
_MAX_RADIUS = text("SELECT max(radius_km) FROM professional_profiles WHERE profession_code = :profession")


def _statement(sql: str, *lists: str) -> TextClause:
    return text(sql).bindparams(
        bindparam("now", type_=UtcDateTime()), *(bindparam(name, expanding=True) for name in lists)
    )


_STATEMENTS = {
    "postgresql": _statement(POSTGRESQL, "accepting", "exclude"),
    "sqlite_schedules": _statement(SQLITE_SCHEDULES, "accepting", "exclude"),
    "sqlite_insert": _statement(SQLITE_INSERT, "accepting", "exclude", "on_duty"),
    "sqlite_hooks": _statement(SQLITE_HOOKS),
}


def notify_pool(
    session: Session,
    prescription: Prescription,
    patient: Patient,
    now: datetime,
    exclude: list[int],
    payload: dict[str, Any],
) -> int:
    """Notify every pool responder of the prescription's current round but those in `exclude`
    (already notified of it: the usual professionals), queue their webhooks with `payload`, and
    add them to `prescription.notified_count`. Returns how many were notified."""
    if patient.latitude is None or patient.longitude is None:
        return 0  # without a location nobody can be judged near: « Aucune ressource disponible »
    # Text statements do not autoflush: the row must hold the round as planned (a renewal resets
    # `notified_count`) before the statement adds to it.
    session.flush()
    max_radius = session.execute(_MAX_RADIUS, {"profession": prescription.profession_code}).scalar()
    if max_radius is None:
        return 0
    lat, lon = patient.latitude, patient.longitude
    dlat, dlon = search_band(lat, max_radius)
    # Without a usable bound (a band of a radian or more), factors of 0 make the test always true.
    lat_factor, lon_factor, per_km2 = near_bound(lat, dlat, dlon) or (0.0, 0.0, 1.0)
    mode = CareMode(prescription.care_mode)
    params: dict[str, Any] = {
        "profession": prescription.profession_code,
        "accepting": [a.value for a in ACCEPTING[mode]],
        "needs_visits": mode in NEEDS_VISITS,
        "needs_office": mode in NEEDS_OFFICE,
        "commune": patient.commune_insee,
        "now": now,
        "lat": lat,
        "lon": lon,
        "lat_min": lat - dlat,
        "lat_max": lat + dlat,
        "lon_min": lon - dlon,
        "lon_max": lon + dlon,
        "lat_factor": lat_factor,
        "lon_factor": lon_factor,
        "per_km2": per_km2,
        "exclude": exclude,
        "network_id": prescription.network_id,
        "earth_radius": EARTH_RADIUS_KM,
        "phi1": math.radians(lat),
        "cos_phi1": math.cos(math.radians(lat)),
        "prescription_id": prescription.id,
        "round": prescription.round,
        "payload": json.dumps(payload),
    }
    if session.get_bind().dialect.name == "postgresql":
        added, _hooks, count = session.execute(_STATEMENTS["postgresql"], params).one()
        # Counted by the statement: the row already holds it, so the session must not write it again.
        set_committed_value(prescription, "notified_count", count)
        return int(added)
    schedules = session.execute(_STATEMENTS["sqlite_schedules"], params)
    params["on_duty"] = on_duty(schedules, now)
    # preserve_rowcount: SQLAlchemy only keeps the count of an UPDATE or DELETE otherwise.
    result = session.execute(
        _STATEMENTS["sqlite_insert"], params, execution_options={"preserve_rowcount": True}
    )
    added = int(result.rowcount)  # type: ignore[attr-defined]
    if added:
        session.execute(_STATEMENTS["sqlite_hooks"], params)
    prescription.notified_count += added
    return added
