"""Test-side helpers for a live server: accounts, logins, patients with valid identities."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from shared.validation import nir_key
from tests.support.server_process import ServerProcess

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-password-for-tests"
PASSWORD = "correct-horse-battery"
# The deployment's token of Kamailio and the queue holder (CENTRALE_TELEPHONY_TOKEN), on every test server.
TELEPHONY_TOKEN = "telephony-token-for-tests"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}{secrets.token_hex(3)}"


def unique_name(prefix: str) -> str:
    """A person-like name unique in the run (letters only: names refuse digits)."""
    n = next(_counter) * 7919 + secrets.randbelow(7919)
    letters = ""
    while n:
        n, r = divmod(n, 26)
        letters += chr(ord("A") + r)
    return f"{prefix}{letters}"


def make_nir(
    sex: int, born: date, department: str = "91", commune: str = "228", order: int | None = None
) -> str:
    order = order if order is not None else 1 + secrets.randbelow(998)
    body = f"{sex}{born.year % 100:02d}{born.month:02d}{department}{commune}{order:03d}"
    return f"{body}{nir_key(body):02d}"


# Numbers some tests write by hand (01 99 00 12 34, 00 07, 11 11, 22 22, 33 33): never drawn.
_PHONES_GIVEN: set[int] = {1234, 7, 1111, 2222, 3333}


def unique_phone() -> str:
    """A fiction-range number (ARCEP: 01 99 00 xx xx), different on each call in this process: drawn
    without replacement (a random draw collided in a GUI run — a professional and a patient with the
    same phone made the caller ambiguous on the popup)."""
    if len(_PHONES_GIVEN) >= 10000:  # pragma: no cover - a run uses a few hundred
        raise RuntimeError("the 10,000 fiction-range numbers are all given in this run")
    while (n := secrets.randbelow(10000)) in _PHONES_GIVEN:
        pass
    _PHONES_GIVEN.add(n)
    return f"01 99 00 {n // 100:02d} {n % 100:02d}"


def patient_body(**overrides: Any) -> dict[str, Any]:
    born = overrides.pop("birth_date_obj", date(1950 + secrets.randbelow(60), 1 + secrets.randbelow(12), 12))
    body: dict[str, Any] = {
        "last_name": unique_name("PATIENT"),
        "first_name": "Hélène",
        "sex": "F",
        "birth_date": born.isoformat(),
        "phone": unique_phone(),
        "address_line": "12 rue des Lilas",
        "postal_code": "91000",
        "city": "Évry-Courcouronnes",
        "commune_insee": "91228",
        "latitude": 48.629,
        "longitude": 2.44,
        "acknowledge_duplicates": True,
    }
    body.update(overrides)
    return body


@dataclass
class LiveServer:
    process: ServerProcess
    kind: str
    admin_token: str = ""
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return self.process.database_url

    def client(self, token: str | None = None) -> httpx.Client:
        client = self.process.client(token)
        self._clients.append(client)
        return client

    def telephony(self, token: str = TELEPHONY_TOKEN) -> httpx.Client:
        """A client as Kamailio and the queue holder call the server (the deployment's token)."""
        client = self.client()
        client.headers["X-Centrale-Telephony-Token"] = token
        return client

    def login(self, username: str, password: str = PASSWORD) -> str:
        response = self.client().post("/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert isinstance(token, str)
        return token

    def admin(self) -> httpx.Client:
        if not self.admin_token:
            self.admin_token = self.login(ADMIN_USERNAME, ADMIN_PASSWORD)
        return self.client(self.admin_token)

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the server's test clock; tokens cached here may have expired afterwards."""
        response = self.client().post("/test/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text
        self.admin_token = ""
        result: dict[str, Any] = response.json()
        return result

    def network(self, name: str | None = None) -> int:
        response = self.admin().post("/admin/networks", json={"name": name or unique("Réseau ")})
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def user(self, role: str, network_ids: list[int] | None = None) -> tuple[dict[str, Any], httpx.Client]:
        username = unique(role[:4])
        body: dict[str, Any] = {
            "username": username,
            "password": PASSWORD,
            "role": role,
            "display_name": f"{role.capitalize()} de test",
            "network_ids": network_ids or [],
        }
        response = self.admin().post("/admin/users", json=body)
        assert response.status_code == 201, response.text
        return response.json(), self.client(self.login(username))

    def professional(self, **overrides: Any) -> tuple[dict[str, Any], httpx.Client]:
        body = professional_body(**overrides)
        response = self.admin().post("/admin/professionals", json=body)
        assert response.status_code == 201, response.text
        return response.json(), self.client(self.login(body["username"]))

    def close(self) -> None:
        for client in self._clients:
            client.close()


def rpps_with_key(seed: int) -> str:
    body = f"{seed % 10**10:010d}"
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


def professional_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": unique("pro"),
        "password": PASSWORD,
        "rpps": rpps_with_key(secrets.randbelow(10**10)),
        "last_name": "D'Almeida",
        "first_name": "Jean-Marc",
        "profession_code": "60",
        "latitude": 48.629,
        "longitude": 2.44,
        "radius_km": 10,
        "availability": "both",
        "network_ids": [],
        "notification_windows": [],
    }
    body.update(overrides)
    return body
