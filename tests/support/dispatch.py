"""Dispatch test helpers: isolated places on the globe, responders, patients and cases on a live server.

Servers are shared by many tests and professionals accumulate, so every test works at a place of
its own (`place()`): sites are at least ~550 km apart, farther than two of the largest radii
(200 km), and far from mainland and overseas France, where the other tests put their people.
"""

from __future__ import annotations

import functools
import math
import secrets
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.orm import Session

from server.db import Database
from server.models import ProfessionalProfile
from server.security.passwords import hash_password
from server.security.tokens import issue_token
from server.services.accounts import create_professional, professional_out
from server.settings import DEFAULT_TOKEN_TTL_MINUTES
from shared.schemas.admin import ProfessionalCreate
from tests.support.live import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    PASSWORD,
    LiveServer,
    patient_body,
    professional_body,
    rpps_with_key,
    unique,
    unique_name,
)

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # along a meridian: ≈ 111.195 km
PARIS = ZoneInfo("Europe/Paris")

# Where other tests put their people: mainland France and the overseas territories.
_RESERVED = (
    (46.5, 2.5),
    (14.6, -61.0),
    (16.2, -61.5),
    (4.9, -52.3),
    (-21.1, 55.5),
    (-12.8, 45.2),
    (-22.3, 166.4),
    (-17.6, -149.5),
    (46.8, -56.2),
)


def _sites() -> Iterator[tuple[float, float]]:
    # 5° of latitude (556 km) and 10° of longitude (≥ 638 km up to 55° S) between two sites.
    start = secrets.randbelow(36)
    for lat in range(-55, 35, 5):
        for step in range(36):
            lon = -175 + 10 * ((start + step) % 36)
            if all(abs(lat - r_lat) > 8 or abs(lon - r_lon) > 15 for r_lat, r_lon in _RESERVED):
                yield float(lat), float(lon)


_SITES = _sites()


def place() -> tuple[float, float]:
    """A site nobody else uses in this test run."""
    try:
        lat, lon = next(_SITES)
    except StopIteration:  # pragma: no cover - would need hundreds of dispatch tests
        raise RuntimeError("plus de sites libres pour les tests de déclenchement") from None
    # A few odd decimals, so that rounding to 2 decimals is visible in the anonymised view.
    return lat + 0.123456, lon + 0.654321


def north(lat: float, lon: float, km: float) -> tuple[float, float]:
    """The point `km` north along the meridian (great-circle distance exactly `km`)."""
    return lat + km / KM_PER_DEGREE, lon


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Login(httpx.Auth):
    """Bearer auth that logs in on first use, and again once the token expired (the clock moves)."""

    requires_response_body = True

    def __init__(
        self, base_url: str, username: str, password: str = PASSWORD, token: str | None = None
    ) -> None:
        self.login_url = f"{base_url}/api/v1/auth/login"
        self.username = username
        self.password = password
        self.token = token

    def login(self) -> str:
        response = httpx.post(
            self.login_url, json={"username": self.username, "password": self.password}, timeout=30
        )
        assert response.status_code == 200, response.text
        self.token = str(response.json()["access_token"])
        return self.token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token or self.login()}"
        response = yield request
        if response.status_code == 401 and response.json().get("code") == "token_expired":
            request.headers["Authorization"] = f"Bearer {self.login()}"
            yield request


def bearer(client: httpx.Client) -> str:
    """The token a client made by these helpers sends (logging in first if need be)."""
    auth = client.auth
    assert isinstance(auth, Login)
    return auth.token or auth.login()


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # once: argon2 is slow on purpose


def _profile(session: Session, body: ProfessionalCreate, now: datetime) -> ProfessionalProfile:
    """What the admin route stores, through the same service, with the shared password hash."""
    return create_professional(session, body, now, password_hash=_password_hash())


@dataclass
class Responder:
    profile: dict[str, Any]
    client: httpx.Client

    @property
    def id(self) -> int:
        return int(self.profile["user_id"])

    @property
    def rpps(self) -> str:
        return str(self.profile["rpps"])

    @property
    def name(self) -> str:
        """The display name the server gives a responder account."""
        return f"{self.profile['last_name'].upper()} {self.profile['first_name']}"

    @property
    def token(self) -> str:
        return bearer(self.client)

    def offer_ids(self) -> list[int]:
        response = self.client.get("/me/offers")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()]


def prescription(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "profession_code": "60",
        "care_type": "Pansement",
        "care_mode": "visit",
        "network_id": None,
        "intervention_delay_minutes": 120,
        "days": 1,
        "visits_per_day": 1,
        "response_delay_minutes": 60,
        "comment": "Pansement simple au domicile, patiente autonome",
    }
    body.update(overrides)
    return body


@dataclass
class Desk:
    """The hotline as the tests drive it: an admin, an operator, and helpers for one server."""

    server: LiveServer
    admin: httpx.Client
    operator: httpx.Client
    requester_rpps: str = field(default_factory=lambda: rpps_with_key(secrets.randbelow(10**10)))
    feed_cursor: int = 0
    database: Database | None = None

    @classmethod
    def open(cls, server: LiveServer) -> Desk:
        admin = server.client()
        admin.auth = Login(server.process.base_url, ADMIN_USERNAME, ADMIN_PASSWORD)
        return cls(server, admin, cls._staff(server, admin, "operator")[1])

    @staticmethod
    def _staff(
        server: LiveServer, admin: httpx.Client, role: str, network_ids: list[int] | None = None
    ) -> tuple[dict[str, Any], httpx.Client]:
        username = unique(role[:4])
        body = {
            "username": username,
            "password": PASSWORD,
            "role": role,
            "display_name": f"{role.capitalize()} {username}",
            "network_ids": network_ids or [],
        }
        response = admin.post("/admin/users", json=body)
        assert response.status_code == 201, response.text
        client = server.client()
        client.auth = Login(server.process.base_url, username)
        return response.json(), client

    def staff(self, role: str, network_ids: list[int] | None = None) -> tuple[dict[str, Any], httpx.Client]:
        return self._staff(self.server, self.admin, role, network_ids)

    def network(self) -> int:
        response = self.admin.post("/admin/networks", json={"name": unique("Réseau ")})
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def responder(self, lat: float, lon: float, *, via_api: bool = False, **overrides: Any) -> Responder:
        """A registered responder, through the admin API or (faster) `responders`."""
        if not via_api:
            return self.responders(1, lat, lon, **overrides)[0]
        overrides.setdefault("last_name", unique_name("Intervenant"))
        body = professional_body(latitude=lat, longitude=lon, **overrides)
        response = self.admin.post("/admin/professionals", json=body)
        assert response.status_code == 201, response.text
        client = self.server.client()
        client.auth = Login(self.server.process.base_url, body["username"])  # logs in when first used
        return Responder(response.json(), client)

    def responders(self, count: int, lat: float, lon: float, **overrides: Any) -> list[Responder]:
        """`count` responder accounts written straight into the database, each with a token.

        The admin API hashes every password (argon2, ~0.2 s) and a login verifies it again; here
        the bodies go through the API's own schema, one hash serves every account, and tokens are
        issued as the login route issues them, against the server's clock.
        """
        now = self.now()
        bodies = [
            ProfessionalCreate.model_validate(
                professional_body(
                    latitude=lat, longitude=lon, **{"last_name": unique_name("Intervenant"), **overrides}
                )
            )
            for _ in range(count)
        ]
        with self._database().session() as session:
            profiles = [_profile(session, body, now) for body in bodies]
            session.flush()
            issued = [
                issue_token(session, p.user, now, DEFAULT_TOKEN_TTL_MINUTES, "tests")[0] for p in profiles
            ]
            made = [professional_out(p).model_dump(mode="json") for p in profiles]
        found = []
        for profile, body, token in zip(made, bodies, issued, strict=True):
            client = self.server.client()
            client.auth = Login(self.server.process.base_url, body.username, token=token)
            found.append(Responder(profile, client))
        return found

    def _database(self) -> Database:
        if self.database is None:
            self.database = Database(self.server.database_url)
        return self.database

    def close(self) -> None:
        if self.database is not None:
            self.database.dispose()

    def patch_responder(self, responder: Responder, **changes: Any) -> None:
        response = self.admin.patch(f"/admin/professionals/{responder.id}", json=changes)
        assert response.status_code == 200, response.text

    def patient(self, lat: float | None, lon: float | None, **overrides: Any) -> dict[str, Any]:
        response = self.operator.post(
            "/patients", json=patient_body(latitude=lat, longitude=lon, **overrides)
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def usual(self, patient_id: int, *responders: Responder) -> None:
        items = [{"profession_code": r.profile["profession_code"], "rpps": r.rpps} for r in responders]
        response = self.operator.put(f"/patients/{patient_id}/usual-professionals", json=items)
        assert response.status_code == 200, response.text

    def case_body(self, patient_id: int, *prescriptions: dict[str, Any]) -> dict[str, Any]:
        return {
            "caller": {"name": "Cabinet Appelant", "phone": "01 99 00 12 34"},
            "requester": {"rpps": self.requester_rpps, "name": "Dr Prescripteur"},
            "patient_id": patient_id,
            "prescriptions": list(prescriptions) or [prescription()],
        }

    def post_case(
        self, patient_id: int, *prescriptions: dict[str, Any], client: httpx.Client | None = None
    ) -> httpx.Response:
        return (client or self.operator).post("/cases", json=self.case_body(patient_id, *prescriptions))

    def send(self, patient_id: int, *prescriptions: dict[str, Any]) -> dict[str, Any]:
        response = self.post_case(patient_id, *prescriptions)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def send_one(self, patient_id: int, **overrides: Any) -> dict[str, Any]:
        """Send a one-prescription case; returns that prescription's line of the answer."""
        line: dict[str, Any] = self.send(patient_id, prescription(**overrides))["prescriptions"][0]
        return line

    def get(self, prescription_id: int, client: httpx.Client | None = None) -> dict[str, Any]:
        response = (client or self.operator).get(f"/prescriptions/{prescription_id}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def notifications(self, prescription_id: int) -> list[dict[str, Any]]:
        response = self.operator.get(f"/prescriptions/{prescription_id}/notifications")
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()
        return result

    def answers(self, prescription_id: int, round_: int = 1) -> dict[int, str | None]:
        """user id → answer, for the notifications of one round."""
        return {
            n["user_id"]: n["answer"] for n in self.notifications(prescription_id) if n["round"] == round_
        }

    def notified(self, prescription_id: int, round_: int = 1) -> set[int]:
        return set(self.answers(prescription_id, round_))

    def now(self) -> datetime:
        response = self.operator.get("/test/clock")
        assert response.status_code == 200, response.text
        return parse_time(response.json()["now"])

    def advance(self, seconds: float) -> datetime:
        return parse_time(self.server.advance(seconds)["now"])

    def advance_to(self, when: datetime) -> datetime:
        """Move the server clock forward to `when` (it never goes back)."""
        delta = (when - self.now()).total_seconds()
        assert delta > 0, f"l'horloge de test ne recule pas ({when} est passé)"
        return self.advance(delta)

    def advance_to_local(self, tz: ZoneInfo, weekday: int, hour: int, minute: int) -> datetime:
        """Move the clock to the next `weekday` (0 = lundi) at hour:minute:05 local time in `tz`."""
        local = self.now().astimezone(tz) + timedelta(minutes=1)
        target = local.replace(hour=hour, minute=minute, second=5, microsecond=0)
        target += timedelta(days=(weekday - target.weekday()) % 7)
        if target <= local:
            target += timedelta(days=7)
        arrived = self.advance_to(target.astimezone(UTC))
        got = arrived.astimezone(tz)
        assert (got.weekday(), got.hour, got.minute) == (weekday, hour, minute), got
        return arrived

    def feed_seq(self) -> int:
        """The change feed's last number now (read on from where this desk last stopped)."""
        while page := self._changes(self.feed_cursor):
            self.feed_cursor = int(page[-1]["seq"])
        return self.feed_cursor

    def events(self, after: int, prescription_id: int) -> list[dict[str, Any]]:
        """The feed's events about one prescription after `after`, in order."""
        found: list[dict[str, Any]] = []
        while page := self._changes(after):
            found += [e for e in page if e["prescription_id"] == prescription_id]
            after = int(page[-1]["seq"])
        return found

    def event_types(self, after: int, prescription_id: int) -> list[str]:
        return [e["type"] for e in self.events(after, prescription_id)]

    def _changes(self, after: int) -> list[dict[str, Any]]:
        response = self.operator.get("/changes", params={"after": after, "limit": 1000})
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()["events"]
        return events
