"""The calls, statistics, incidents and notices' reads of the API, on `ApiClient.request`.

- calls: `GET /calls` (the log; `to_call_back=true`: the calls to return), `POST /calls/{id}/callback`
  (the first to take a callback wins: 409 `callback_taken` for the others);
- statistics: `GET /stats` and its CSV `GET /stats/prescriptions.csv` (bytes as the server wrote
  them: `;`-separated, UTF-8 with a BOM), both within the caller's board scope;
- incidents: `GET /incidents` (a supervisor: their own and their networks'), `GET /networks` names;
- for the notices (`desktop/state/tray_notices.NoticeSource`): one prescription, whether it is
  in a board scope (`GET /prescriptions?scope=&number=`), one incident.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from shared.schemas.admin import NetworkOut
from shared.schemas.calls import CallRecordOut
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.exchanges import IncidentOut
from shared.schemas.stats import Statistics

_CALLS = TypeAdapter(list[CallRecordOut])
_INCIDENTS = TypeAdapter(list[IncidentOut])
_VIEWS = TypeAdapter(list[PrescriptionView])
_NETWORKS = TypeAdapter(list[NetworkOut])
CALL_LOG_LIMIT = 200
INCIDENTS_LIMIT = 200


class Period(Protocol):
    """A period of the statistics (``desktop.state.statistics.Period``): its bounds, and the query
    parameters of ``GET /stats``."""

    @property
    def since(self) -> datetime: ...

    @property
    def until(self) -> datetime: ...

    def params(self) -> dict[str, str]: ...


class SupervisionApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self._scopes: dict[tuple[int, str], bool] = {}  # a case never leaves a scope

    # ---- calls ------------------------------------------------------------------------------------
    async def calls_to_call_back(self) -> list[CallRecordOut]:
        response = await self.client.request("GET", "/calls", params={"to_call_back": "true"})
        return _CALLS.validate_json(response.content)

    async def call_log(self, limit: int = CALL_LOG_LIMIT) -> list[CallRecordOut]:
        response = await self.client.request("GET", "/calls", params={"limit": limit})
        return _CALLS.validate_json(response.content)

    async def take_callback(self, call_id: str, note: str = "") -> CallRecordOut:
        response = await self.client.request("POST", f"/calls/{call_id}/callback", json={"note": note})
        return CallRecordOut.model_validate_json(response.content)

    # ---- statistics -------------------------------------------------------------------------------
    async def statistics(self, period: Period) -> Statistics:
        response = await self.client.request("GET", "/stats", params=period.params())
        return Statistics.model_validate_json(response.content)

    async def prescriptions_csv(self, period: Period) -> bytes:
        params = {"since": period.since.isoformat(), "until": period.until.isoformat()}
        return (await self.client.request("GET", "/stats/prescriptions.csv", params=params)).content

    # ---- incidents --------------------------------------------------------------------------------
    async def incidents(self, limit: int = INCIDENTS_LIMIT) -> list[IncidentOut]:
        response = await self.client.request("GET", "/incidents", params={"limit": limit})
        return _INCIDENTS.validate_json(response.content)

    async def network_names(self) -> dict[int, str]:
        response = await self.client.request("GET", "/networks")
        return {n.id: n.name for n in _NETWORKS.validate_json(response.content)}

    async def incident(self, incident_id: int) -> IncidentOut | None:
        return next((i for i in await self.incidents() if i.id == incident_id), None)

    # ---- notices ----------------------------------------------------------------------------------
    async def prescription(self, prescription_id: int) -> PrescriptionView:
        response = await self.client.request("GET", f"/prescriptions/{prescription_id}")
        return PrescriptionView.model_validate_json(response.content)

    async def in_scope(self, case_id: int, case_number: str, scope: str) -> bool:
        """Whether the case is in the board scope (`GET /prescriptions?scope=&number=`: a case
        outside it lists nothing); remembered, a case never leaves a scope."""
        key = (case_id, scope)
        if key not in self._scopes:
            params = {"scope": scope, "number": case_number.lstrip("#")}
            response = await self.client.request("GET", "/prescriptions", params=params)
            self._scopes[key] = any(v.case_id == case_id for v in _VIEWS.validate_json(response.content))
        return self._scopes[key]
