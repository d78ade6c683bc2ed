"""Test-side helpers for the hotline's distribution (issue 19): operators with a state, calls told as
Kamailio and the queue holder tell them, and a tidy hotline after each test (everyone Hors ligne,
every call ended), since the hotline's state is one per server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.live import LiveServer, unique


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@dataclass
class Operator:
    user: dict[str, Any]
    client: httpx.Client
    sip_user: str

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def state(self, state: str, **extra: Any) -> httpx.Response:
        return self.client.put("/agents/me/state", json={"state": state, "sip_user": self.sip_user, **extra})

    def set(self, state: str, **extra: Any) -> dict[str, Any]:
        result: dict[str, Any] = ok(self.state(state, **extra))
        return result


@dataclass
class Hotline:
    server: LiveServer
    operators: list[Operator] = field(default_factory=list)
    call_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.telephony = self.server.telephony()

    def operator(self, state: str | None = "available", role: str = "operator") -> Operator:
        user, client = self.server.user(role)
        operator = Operator(user, client, unique("sip"))
        self.operators.append(operator)
        if state is not None:
            operator.set(state, **({"pause_reason": "repas"} if state == "pause" else {}))
        return operator

    def route(
        self, call_id: str, caller: str = "+33612345678", tried: list[str] | None = None
    ) -> dict[str, Any]:
        self.call_ids.add(call_id)
        params = {
            "call_id": call_id,
            "caller": caller,
            "caller_name": "Dr Test",
            "tried": ",".join(tried or []),
        }
        result: dict[str, Any] = ok(self.telephony.get("/telephony/route", params=params))
        return result

    def event(self, call_id: str, kind: str, sip_user: str | None = None, **extra: Any) -> None:
        self.call_ids.add(call_id)
        body = {"call_id": call_id, "kind": kind, "sip_user": sip_user, **extra}
        ok(self.telephony.post("/telephony/events", json=body), 204)

    def next_offer(self) -> dict[str, Any] | None:
        response = self.telephony.post("/telephony/queue/next")
        assert response.status_code in (200, 204), response.text
        return response.json() if response.status_code == 200 else None

    def agents(self) -> dict[int, dict[str, Any]]:
        """The supervisor's grid, for this test's operators."""
        mine = {o.id for o in self.operators}
        return {a["user_id"]: a for a in ok(self.server.admin().get("/agents")) if a["user_id"] in mine}

    def settings(self, **changes: Any) -> dict[str, Any]:
        admin = self.server.admin()
        current = ok(admin.get("/hotline/settings"))
        result: dict[str, Any] = ok(admin.put("/hotline/settings", json=current | changes))
        return result

    def close(self) -> None:
        for call_id in self.call_ids:
            self.event(call_id, "ended")
        for operator in self.operators:
            operator.state("offline")
