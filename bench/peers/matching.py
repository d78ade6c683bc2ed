"""Item 3 — matching (who is notified of one prescription): ours against PostGIS, on PostgreSQL.

bench/support.py's registry (100,000 professionals over France; quick: 10,000) is kept in a
PostgreSQL database (bench/peers/datasets.py); 300 cases of one prescription each (quick: 50) are
sent through `POST /cases` once per run, so each prescription has its patient, its profession,
care mode and network as dispatch sees them.

For each prescription, in its own transaction rolled back afterwards and with a new round number
(so both sides insert into an empty round), both sides notify the pool, one after the other, the
order alternating from one prescription to the next, at the same `now`:
- ours: `server.services.dispatch.notify_round` — what `create_case` calls — in a session of the
  server's own `Database`: the profession's largest radius, then pool.py's one statement (band
  index, distance bound, exact haversine within each radius, communes served, windows in SQL);
- PostGIS: the same two statements' work written as a practitioner would with PostGIS: a copy of
  `professional_profiles` with a `geography` point and a GiST index on it, `ST_DWithin` with the
  largest radius (the index) and with each row's own radius (on the sphere, as ours), the same
  eligibility, network, communes-served and window filters (pool.py's SQL fragments, so the
  spatial part is the only difference), the same rows inserted (notifications, webhooks, count).
The sets of professionals notified are compared (mismatches printed).
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from bench import support
from bench.peers import datasets, standalone
from bench.peers.figures import median_and_p95
from bench.peers.table import Row
from server.db import Database
from server.models import Notification, Patient, Prescription
from server.models.base import UtcDateTime
from server.services import dispatch, pool
from server.services.matching import ACCEPTING, NEEDS_OFFICE, NEEDS_VISITS
from shared.domain import CareMode

PEER_TABLE = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    "CREATE TABLE peer_profiles AS SELECT *,"
    " CAST(ST_SetSRID(ST_MakePoint(longitude, latitude), 4326) AS geography) AS geog"
    " FROM professional_profiles",
    "ALTER TABLE peer_profiles ADD PRIMARY KEY (user_id)",
    "CREATE INDEX peer_profiles_geog ON peer_profiles USING gist (geog)",
    "CREATE INDEX peer_profiles_profession ON peer_profiles (profession_code)",
    "ANALYZE peer_profiles",
]
_POINT = "CAST(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS geography)"
_PEER_DISTANCE = f"ST_Distance(p.geog, {_POINT}, false) / 1000.0"
# pool.py's eligibility and window filters (the same SQL text), the spatial test PostGIS's.
POSTGIS = f"""
WITH near AS (
    SELECT p.user_id, {_PEER_DISTANCE} AS distance_km
    FROM peer_profiles p
    WHERE {pool._ELIGIBLE}
      AND ST_DWithin(p.geog, {_POINT}, :max_radius_m, false)
      AND ST_DWithin(p.geog, {_POINT}, p.radius_km * 1000.0, false)
      {pool._ON_DUTY_POSTGRESQL}
), serving AS (
    SELECT p.user_id, p.radius_km, {_PEER_DISTANCE} AS distance_km
    FROM professional_communes c CROSS JOIN peer_profiles p
    WHERE c.commune_insee = :commune AND p.user_id = c.user_id AND {pool._ELIGIBLE}
      {pool._ON_DUTY_POSTGRESQL}
), matched AS (
    SELECT user_id, distance_km FROM near
    UNION ALL
    SELECT user_id, distance_km FROM serving WHERE distance_km > radius_km
), added AS (
    INSERT INTO notifications (prescription_id, round, user_id, usual, distance_km, notified_at)
    SELECT :prescription_id, :round, user_id, false, distance_km, :now FROM matched
    RETURNING user_id
), hooks AS (
    INSERT INTO webhook_deliveries (user_id, url, payload, attempts, next_attempt_at)
    SELECT p.user_id, p.webhook_url, CAST(:payload AS json), 0, :now
    FROM peer_profiles p
    WHERE p.webhook_url IS NOT NULL AND p.user_id IN (SELECT user_id FROM added)
    RETURNING 1
), counted AS (
    UPDATE prescriptions SET notified_count = notified_count + (SELECT count(*) FROM added)
    WHERE id = :prescription_id
    RETURNING notified_count
)
SELECT (SELECT count(*) FROM added), (SELECT notified_count FROM counted)
"""  # constant fragments only; every value is a parameter
PEER_STATEMENT = text(POSTGIS).bindparams(
    bindparam("now", type_=UtcDateTime()),
    bindparam("accepting", expanding=True),
    bindparam("exclude", expanding=True),
)
MAX_RADIUS = text("SELECT max(radius_km) FROM peer_profiles WHERE profession_code = :profession")


def prepare_peer(db: Database) -> None:
    with db.session() as session:
        if session.scalar(text("SELECT to_regclass('peer_profiles')")) is not None:
            return
        print("building the PostGIS copy of the professionals (geography, GiST)…", flush=True)
        for statement in PEER_TABLE:
            session.execute(text(statement))


def send_cases(data: support.Dataset, count: int) -> list[int]:
    """`count` cases of one prescription through the API; their prescriptions' ids."""
    rng = random.Random(11)
    ids = []
    with support.running(data) as server, server.client(server.login()) as client:
        for _ in range(count):
            body = support.case_body(data, rng)
            response = client.post("/cases", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
            if response.status_code != 201:
                raise RuntimeError(f"{response.status_code}: {response.text}")
            ids.append(int(response.json()["prescriptions"][0]["id"]))
    return ids


def _new_round(session: Session, prescription_id: int) -> tuple[Prescription, Patient]:
    prescription = session.get(Prescription, prescription_id)
    assert prescription is not None
    patient = session.get(Patient, prescription.case.patient_id)
    assert patient is not None
    prescription.round += 1
    prescription.notified_count = 0
    session.flush()
    return prescription, patient


def _notified(session: Session, prescription: Prescription) -> set[int]:
    return set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.prescription_id == prescription.id, Notification.round == prescription.round
            )
        )
    )


def ours(db: Database, prescription_id: int, now: datetime) -> tuple[float, set[int]]:
    with Session(db.engine) as session:
        prescription, patient = _new_round(session, prescription_id)
        started = time.perf_counter()
        dispatch.notify_round(session, prescription, patient, [], now)
        session.flush()
        elapsed = (time.perf_counter() - started) * 1000
        notified = _notified(session, prescription)
        session.rollback()
    return elapsed, notified


def _peer_params(prescription: Prescription, patient: Patient, now: datetime) -> dict[str, Any]:
    mode = CareMode(prescription.care_mode)
    return {
        "profession": prescription.profession_code,
        "accepting": [a.value for a in ACCEPTING[mode]],
        "needs_visits": mode in NEEDS_VISITS,
        "needs_office": mode in NEEDS_OFFICE,
        "commune": patient.commune_insee,
        "now": now,
        "lat": patient.latitude,
        "lon": patient.longitude,
        "exclude": [],
        "network_id": prescription.network_id,
        "prescription_id": prescription.id,
        "round": prescription.round,
        "payload": '{"type": "offer"}',
    }


def postgis(db: Database, prescription_id: int, now: datetime) -> tuple[float, set[int]]:
    with Session(db.engine) as session:
        prescription, patient = _new_round(session, prescription_id)
        params = _peer_params(prescription, patient, now)
        started = time.perf_counter()
        max_radius = session.execute(MAX_RADIUS, {"profession": prescription.profession_code}).scalar()
        if max_radius is not None and patient.latitude is not None:
            session.execute(PEER_STATEMENT, params | {"max_radius_m": max_radius * 1000.0}).one()
        elapsed = (time.perf_counter() - started) * 1000
        notified = _notified(session, prescription)
        session.rollback()
    return elapsed, notified


def run(quick: bool, workdir: Path) -> list[Row]:
    professionals = 10_000 if quick else 100_000
    data = datasets.population(workdir, professionals)
    prescription_ids = send_cases(data, 50 if quick else 300)
    db = Database(data.url)
    try:
        prepare_peer(db)
        ours_ms: list[float] = []
        peer_ms: list[float] = []
        mismatches, sizes = 0, []
        for n, prescription_id in enumerate([*prescription_ids[:5], *prescription_ids]):
            now = datetime.now(UTC)
            sides = [(ours, ours_ms), (postgis, peer_ms)]
            results = {}
            for side, sink in sides if n % 2 == 0 else sides[::-1]:
                elapsed, notified = side(db, prescription_id, now)
                results[side] = notified
                if n >= 5:  # the first five: warm-up
                    sink.append(elapsed)
            if n >= 5:
                sizes.append(len(results[ours]))
                if results[ours] != results[postgis]:
                    mismatches += 1
                    only_ours, only_peer = results[ours] - results[postgis], results[postgis] - results[ours]
                    print(
                        f"prescription {prescription_id}: {len(only_ours)} notified by ours only"
                        f" {sorted(only_ours)[:5]}, {len(only_peer)} by PostGIS only {sorted(only_peer)[:5]}"
                    )
    finally:
        db.dispose()
    print(
        f"matching: {len(sizes)} prescriptions, {mismatches} with different sets; notified per"
        f" prescription: mean {sum(sizes) / len(sizes):.0f}, max {max(sizes)}"
    )
    return median_and_p95(
        "matching",
        f"who is notified of one prescription, {professionals:,} professionals, PostgreSQL",
        "ms",
        ours_ms,
        peer_name="PostGIS",
        peer=peer_ms,
        note=f"{len(sizes)} prescriptions, {mismatches} different sets, mean {sum(sizes) / len(sizes):.0f}"
        " notified",
    )


if __name__ == "__main__":
    standalone.main(run, __doc__.splitlines()[0])
