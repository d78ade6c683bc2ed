"""Shared setup of the dispatch benchmarks: 100,000 professionals over France, a server, patients.

Professionals are bulk-inserted with SQLAlchemy Core into the database the server then uses (one
password hash for all); patients are created through the API. Places follow the population: a
gaussian cloud around ~40 urban areas (spread and weight by size) plus a uniform rural background
inside a rough outline of metropolitan France.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, insert, select, text

from server.models import Network, ProfessionalProfile, User, user_networks
from server.security.passwords import hash_password
from tests.support import postgres
from tests.support.live import patient_body, rpps_with_key
from tests.support.server_process import ServerProcess

PASSWORD = "bench-password-0"  # a throw-away benchmark account
# (urban area, latitude, longitude, population of its « aire d'attraction » in millions)
CITIES = [
    ("Paris", 48.857, 2.352, 13.0), ("Lyon", 45.764, 4.836, 2.3), ("Marseille", 43.297, 5.381, 1.9),
    ("Lille", 50.629, 3.057, 1.5), ("Toulouse", 43.605, 1.444, 1.45), ("Bordeaux", 44.838, -0.579, 1.36),
    ("Nantes", 47.218, -1.554, 1.0), ("Strasbourg", 48.573, 7.752, 0.86), ("Montpellier", 43.611, 3.877, 0.8),
    ("Rennes", 48.117, -1.678, 0.76), ("Grenoble", 45.188, 5.724, 0.72), ("Rouen", 49.443, 1.100, 0.7),
    ("Nice", 43.710, 7.262, 0.62), ("Toulon", 43.125, 5.930, 0.58), ("Saint-Étienne", 45.440, 4.387, 0.52),
    ("Nancy", 48.692, 6.184, 0.51), ("Tours", 47.394, 0.685, 0.5), ("Clermont-Ferrand", 45.778, 3.087, 0.5),
    ("Caen", 49.183, -0.371, 0.47), ("Orléans", 47.903, 1.909, 0.45), ("Angers", 47.478, -0.563, 0.43),
    ("Metz", 49.120, 6.176, 0.39), ("Dijon", 47.322, 5.041, 0.39), ("Le Mans", 48.006, 0.199, 0.35),
    ("Avignon", 43.949, 4.806, 0.34), ("Perpignan", 42.699, 2.895, 0.33), ("Brest", 48.390, -4.486, 0.32),
    ("Reims", 49.258, 4.032, 0.32), ("Bayonne", 43.493, -1.475, 0.32), ("Limoges", 45.834, 1.261, 0.31),
    ("Mulhouse", 47.750, 7.336, 0.29), ("Amiens", 49.894, 2.296, 0.29), ("Besançon", 47.238, 6.024, 0.28),
    ("Le Havre", 49.494, 0.108, 0.28), ("Nîmes", 43.837, 4.360, 0.27), ("Poitiers", 46.580, 0.340, 0.26),
    ("Pau", 43.295, -0.371, 0.24), ("Annecy", 45.899, 6.129, 0.24), ("La Rochelle", 46.160, -1.151, 0.2),
    ("Valence", 44.933, 4.892, 0.2), ("Ajaccio", 41.919, 8.738, 0.1), ("Bastia", 42.697, 9.450, 0.1),
]  # fmt: skip
# A rough outline of mainland France (latitude, longitude), for the rural background.
OUTLINE = [
    (51.05, 2.40), (50.10, 4.20), (49.50, 5.80), (49.00, 8.20), (47.60, 7.60), (46.40, 6.20),
    (45.80, 7.00), (44.10, 7.70), (43.75, 7.50), (43.10, 6.00), (43.40, 4.50), (43.00, 3.10),
    (42.45, 3.15), (42.70, 0.80), (43.35, -1.80), (44.60, -1.25), (46.20, -1.40), (47.30, -2.50),
    (47.80, -4.30), (48.50, -4.80), (48.80, -3.00), (48.65, -1.60), (49.70, -1.90), (49.35, -0.40),
    (49.50, 0.10), (50.05, 1.40), (50.90, 1.60),
]  # fmt: skip
# Registered professions as on the national registry (%): nurses, doctors, physios, pharmacists…
PROFESSION_MIX = {"60": 35, "10": 25, "70": 15, "21": 10, "50": 3, "40": 2, "91": 3, "80": 2}
PROFESSION_MIX |= {"69": 1, "95": 1, "96": 1, "94": 1, "92": 1}
CARE_MODES = {"visit": 50, "office": 20, "video": 10, "advice": 10, "telemedicine": 5, "transport": 5}
RADII = {5.0: 15, 10.0: 30, 15.0: 20, 20.0: 15, 25.0: 10, 30.0: 10}
AVAILABILITY = {"both": 50, "visit": 20, "office": 22, "unavailable": 8}
WEEKDAYS_DAY = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(5)]
SPLIT_DAY = [
    {"weekday": d, "start": s, "end": e}
    for d in range(6)
    for s, e in (("08:00", "12:00"), ("14:00", "19:00"))
]
WINDOW_SETS = [WEEKDAYS_DAY, SPLIT_DAY, [{"weekday": d, "start": "07:00", "end": "21:00"} for d in range(7)]]
NETWORK_CITIES = 12  # the first urban areas each have a CPTS; 40 % of their professionals join it
KM_PER_DEGREE = 111.0


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _inside(lat: float, lon: float) -> bool:
    inside, j = False, len(OUTLINE) - 1
    for i, (y1, x1) in enumerate(OUTLINE):
        y2, x2 = OUTLINE[j]
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
        j = i
    return inside


def place(rng: random.Random, urban: float) -> tuple[float, float, int | None]:
    """A populated place (lat, lon, index of its urban area or None when rural)."""
    if rng.random() < urban:
        index = rng.choices(range(len(CITIES)), weights=[c[3] for c in CITIES])[0]
        _, lat, lon, pop = CITIES[index]
        sigma_km = 3.0 + 4.0 * math.sqrt(pop)
        dlat = rng.gauss(0, sigma_km) / KM_PER_DEGREE
        dlon = rng.gauss(0, sigma_km) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
        return round(lat + dlat, 5), round(lon + dlon, 5), index
    while True:
        lat, lon = rng.uniform(42.4, 51.1), rng.uniform(-4.8, 8.2)
        if _inside(lat, lon):
            return round(lat, 5), round(lon, 5), None


@dataclass(frozen=True)
class BenchPatient:
    id: int
    network_id: int | None


@dataclass
class Dataset:
    kind: str
    url: str
    directory: Path
    load_seconds: float = 0.0
    requesters: list[str] = field(default_factory=list)  # RPPS of registered doctors
    network_ids: list[int] = field(default_factory=list)
    patients: list[BenchPatient] = field(default_factory=list)


def database_url(kind: str, directory: Path) -> str:
    return f"sqlite:///{directory / 'centrale.sqlite3'}" if kind == "sqlite" else postgres.create_database()


def create_dataset(kind: str, directory: Path, professionals: int, seed: int = 1) -> Dataset:
    """Migrate a new database, add the operator account and bulk-load the professionals."""
    data = Dataset(kind, database_url(kind, directory), directory)
    try:
        cli = ServerProcess(data.url, directory, test_clock=False)
        created = cli.cli("create-user", "--username", "operator", "--role", "operator", "--password-stdin",
                          stdin=PASSWORD + "\n")  # fmt: skip
        if created.returncode != 0:
            raise RuntimeError(created.stderr)
        started = time.monotonic()
        _bulk_load(data, professionals, random.Random(seed))
        data.load_seconds = time.monotonic() - started
    except BaseException:
        drop(data)
        raise
    return data


def _bulk_load(data: Dataset, count: int, rng: random.Random) -> None:
    engine = create_engine(data.url)
    now = datetime.now(UTC)
    password_hash = hash_password(PASSWORD)
    try:
        with engine.begin() as conn:
            first_network = 1 + (conn.scalar(select(func.max(Network.id))) or 0)
            names = [f"CPTS Bench {c[0]}" for c in CITIES[:NETWORK_CITIES]]
            data.network_ids = list(range(first_network, first_network + len(names)))
            conn.execute(insert(Network), [
                {"id": i, "name": n, "created_at": now} for i, n in zip(data.network_ids, names, strict=True)
            ])  # fmt: skip
            first_user = 1 + (conn.scalar(select(func.max(User.id))) or 0)
            users, profiles, members = [], [], []
            for n in range(count):
                user_id = first_user + n
                row, member = _professional(rng, user_id, n, now)
                users.append(
                    {"id": user_id, "username": f"bench{n:06d}", "password_hash": password_hash,
                     "role": "professional", "display_name": row["last_name"], "phone": None,
                     "active": rng.random() >= 0.03, "created_at": now}
                )  # fmt: skip
                profiles.append(row)
                if member is not None and rng.random() < 0.4:
                    members.append({"user_id": user_id, "network_id": data.network_ids[member]})
                if row["profession_code"] == "10" and len(data.requesters) < 500:
                    data.requesters.append(row["rpps"])
            for table, rows in ((User, users), (ProfessionalProfile, profiles),
                                (user_networks, members)):  # fmt: skip
                for start in range(0, len(rows), 5000):
                    conn.execute(insert(table), rows[start : start + 5000])
            if data.kind == "postgresql":
                for name in ("users", "networks"):  # explicit ids above: move the sequences past them
                    sequence = f"pg_get_serial_sequence('{name}', 'id')"
                    conn.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {name}))"))
        if data.kind == "postgresql":
            # What autovacuum does within a minute of such a load (PostgreSQL ≥ 13 vacuums after
            # inserts too): statistics, and the visibility map that index-only scans rely on.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def _professional(
    rng: random.Random, user_id: int, n: int, now: datetime
) -> tuple[dict[str, Any], int | None]:
    lat, lon, city = place(rng, urban=0.65)
    availability = pick(rng, AVAILABILITY)
    roll = rng.random()
    unavailable_until = (
        now + timedelta(days=2) if roll < 0.03 else now - timedelta(days=2) if roll < 0.05 else None
    )
    code = pick(rng, PROFESSION_MIX)
    row = {
        "user_id": user_id, "rpps": rpps_with_key(1_800_000_000 + n), "last_name": f"BENCH{n}",
        "first_name": "Camille", "last_name_key": f"BENCH{n}", "first_name_key": "CAMILLE",
        "profession_code": code, "specialty_code": "SM54" if code == "10" else None, "phone": None,
        "commune_insee": None, "commune_name": None, "postal_code": None, "latitude": lat, "longitude": lon,
        "radius_km": pick(rng, RADII), "availability": availability, "unavailable_until": unavailable_until,
        "timezone": "Europe/Paris", "webhook_url": None,
        "notification_windows": rng.choice(WINDOW_SETS) if rng.random() < 0.2 else [],
    }  # fmt: skip
    return row, city if city is not None and city < NETWORK_CITIES else None


class BenchServer:
    """`centrale-server serve` (workers=1) or `uvicorn --workers N` on the dataset's database."""

    def __init__(self, data: Dataset, workers: int = 1) -> None:
        self.process = ServerProcess(data.url, data.directory, test_clock=False)
        self.workers = workers
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"{self.process.base_url}/api/v1"

    def start(self) -> None:
        if self.workers == 1:
            self.process.start(timeout=60)
            return
        log = self.process.log_path.open("ab")
        port = str(self.process.port)
        self._popen = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", "127.0.0.1",
             "--port", port, "--workers", str(self.workers), "--log-level", "warning"],
            env=self.process.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api}/health", timeout=1.0).status_code == 200:
                    time.sleep(2.0)  # every worker up, not only the first
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server not healthy:\n{self.process.log()}")

    def stop(self) -> None:
        self.process.stop()
        if self._popen is not None:
            self._popen.terminate()
            self._popen.wait(timeout=20)
            self._popen = None

    def client(self, token: str | None = None) -> httpx.Client:
        return self.process.client(token)

    def login(self) -> str:
        with self.client() as client:
            response = client.post("/auth/login", json={"username": "operator", "password": PASSWORD})
            response.raise_for_status()
            return str(response.json()["access_token"])


@contextmanager
def running(data: Dataset, workers: int = 1) -> Iterator[BenchServer]:
    server = BenchServer(data, workers)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def served_dataset(
    kind: str, professionals: int, patients: int
) -> Iterator[tuple[Dataset, BenchServer, str] | None]:
    """A new dataset, its server, the operator's token and `patients` patients; None (and a line
    saying so) when PostgreSQL is unavailable. The database is dropped afterwards."""
    with tempfile.TemporaryDirectory() as directory:
        try:
            data = create_dataset(kind, Path(directory), professionals)
        except postgres.PostgresUnavailable as exc:
            print(f"{kind:<10} skipped: {exc}")
            yield None
            return
        try:
            with running(data) as server:
                token = server.login()
                create_patients(data, server, token, patients)
                yield data, server, token
        finally:
            drop(data)


def create_patients(data: Dataset, server: BenchServer, token: str, count: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    with server.client(token) as client:
        for _ in range(count):
            lat, lon, city = place(rng, urban=0.8)
            response = client.post("/patients", json=patient_body(latitude=lat, longitude=lon))
            response.raise_for_status()
            network = data.network_ids[city] if city is not None and city < NETWORK_CITIES else None
            data.patients.append(BenchPatient(int(response.json()["id"]), network))


def case_body(data: Dataset, rng: random.Random, prescriptions: int = 1) -> dict[str, Any]:
    """A case for a random patient: random professions and care modes, 10 % kept to a network."""
    patient = rng.choice(data.patients)
    items = []
    for _ in range(prescriptions):
        network = patient.network_id if patient.network_id and rng.random() < 0.1 else None
        items.append({"profession_code": pick(rng, PROFESSION_MIX), "care_type": "Soins",
                      "care_mode": pick(rng, CARE_MODES), "network_id": network,
                      "intervention_delay_minutes": 120, "response_delay_minutes": 30,
                      "comment": "Benchmark"})  # fmt: skip
    return {"caller": {"name": "Bench"}, "requester": {"rpps": rng.choice(data.requesters)},
            "patient_id": patient.id, "prescriptions": items}  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def drop(data: Dataset) -> None:
    if data.kind == "postgresql":
        postgres.drop_database(data.url)
