"""A scripted central server behind ``httpx.MockTransport``, for the sync logic's unit tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from desktop.sync.client import ApiClient

Reply = Callable[[httpx.Request], httpx.Response]


def case_answer(number: str = "30000001", prescriptions: int = 1) -> dict[str, Any]:
    sent = {
        "id": 1,
        "state": "pending",
        "profession_code": "60",
        "profession": "Infirmier",
        "care_type": "Pansement",
        "notified_count": 3,
        "deadline_at": "2026-11-27T10:00:00Z",
        "priority_until": None,
    }
    return {"case_id": 1, "number": number, "prescriptions": [sent] * prescriptions}


def patient_answer(patient_id: int) -> dict[str, Any]:
    return {
        "id": patient_id,
        "version": 1,
        "last_name": "A",
        "first_name": "B",
        "birth_last_name": None,
        "birth_first_names": None,
        "sex": "F",
        "birth_date": "1950-01-01",
        "age": 76,
        "birth_place_insee": None,
        "nir": None,
        "ins_oid": None,
        "identity_status": "provisional",
        "occupation": None,
        "insurance_scheme": None,
        "phone": "+33199000000",
        "phone2": None,
        "email": None,
        "address_line": "1 rue",
        "address_complement": None,
        "building": None,
        "staircase": None,
        "floor": None,
        "digicode": None,
        "intercom": None,
        "door": None,
        "postal_code": "91000",
        "city": "Évry",
        "commune_insee": None,
        "latitude": None,
        "longitude": None,
        "usual_professionals": [],
        "created_at": "2026-11-27T09:00:00Z",
        "updated_at": "2026-11-27T09:00:00Z",
    }


def error(status: int, code: str, detail: str, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"detail": detail, "code": code, **extra})


@dataclass
class FakeServer:
    """Each request pops the next reply scripted for its ``METHOD /path``; everything is recorded."""

    replies: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def script(self, route: str, *replies: Reply) -> None:
        self.replies.setdefault(route, []).extend(replies)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = f"{request.method} {request.url.path.removeprefix('/api/v1')}"
        queue = self.replies.get(route)
        if not queue:
            raise AssertionError(f"unexpected request {route}")
        return queue.pop(0)(request)

    def client(self, token: str = "tok") -> ApiClient:
        return ApiClient("http://centrale.test", token=token, transport=httpx.MockTransport(self.handle))

    def bodies(self, route: str) -> list[Any]:
        method, path = route.split(" ", 1)
        return [
            json.loads(r.content)
            for r in self.requests
            if r.method == method and r.url.path == f"/api/v1{path}"
        ]


def unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connexion refusée", request=request)


def ok(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return lambda _request: httpx.Response(status, json=payload, headers=headers)
