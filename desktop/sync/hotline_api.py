"""The hotline's reads and writes of the API (issue 19, `shared/schemas/hotline.py`), on
`ApiClient.request`:

- « Mon état »: `PUT /agents/me/state`; the platform's lists and delays: `GET /hotline/settings`
  (staff), `PUT /hotline/settings` (admin);
- the wrap-up's qualification of a call record: `PUT /calls/{id}/qualification`;
- the supervisor's live view: `GET /agents`, `GET /hotline/queue`;
- the hotline's figures: `GET /stats/hotline?start=&end=` and its CSV (`format=csv`, the bytes as
  the server wrote them).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from shared.schemas.hotline import (
    AgentOut,
    AgentStateIn,
    HotlineSettings,
    HotlineStatsOut,
    QualificationIn,
    QueueOut,
)

_AGENTS = TypeAdapter(list[AgentOut])


class HotlineApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # ---- the operator's own state -----------------------------------------------------------------
    async def put_my_state(self, body: AgentStateIn) -> None:
        """The server's answer is not needed: what it holds comes back on the change feed."""
        await self.client.request("PUT", "/agents/me/state", json=body.model_dump(mode="json"))

    async def set_qualification(self, call_record_id: str, code: str) -> None:
        body = QualificationIn(code=code).model_dump(mode="json")
        await self.client.request("PUT", f"/calls/{call_record_id}/qualification", json=body)

    # ---- the platform's settings ------------------------------------------------------------------
    async def settings(self) -> HotlineSettings:
        response = await self.client.request("GET", "/hotline/settings")
        return HotlineSettings.model_validate_json(response.content)

    async def put_settings(self, settings: HotlineSettings) -> HotlineSettings:
        response = await self.client.request(
            "PUT", "/hotline/settings", json=settings.model_dump(mode="json")
        )
        return HotlineSettings.model_validate_json(response.content)

    # ---- the supervisor's live view ---------------------------------------------------------------
    async def agents(self) -> list[AgentOut]:
        return _AGENTS.validate_json((await self.client.request("GET", "/agents")).content)

    async def queue(self) -> QueueOut:
        return QueueOut.model_validate_json((await self.client.request("GET", "/hotline/queue")).content)

    # ---- figures ----------------------------------------------------------------------------------
    async def statistics(self, start: datetime, end: datetime) -> HotlineStatsOut:
        params = {"start": start.isoformat(), "end": end.isoformat()}
        response = await self.client.request("GET", "/stats/hotline", params=params)
        return HotlineStatsOut.model_validate_json(response.content)

    async def statistics_csv(self, start: datetime, end: datetime) -> bytes:
        params = {"start": start.isoformat(), "end": end.isoformat(), "format": "csv"}
        return (await self.client.request("GET", "/stats/hotline", params=params)).content
