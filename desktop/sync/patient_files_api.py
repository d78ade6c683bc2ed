"""« Fiches patients »' reads, on ``ApiClient.request``: the board of the period by keyword, the
patient search, one patient's page (identity, usual professionals, timeline). The active list made
of them is ``desktop.services.patient_files.active_list``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.patients import PatientOut, PatientSearchResult, TimelineEntry

_PRESCRIPTIONS = TypeAdapter(list[PrescriptionView])
_TIMELINE = TypeAdapter(list[TimelineEntry])


@dataclass(frozen=True)
class PatientFile:
    patient: PatientOut
    timeline: list[TimelineEntry]


class PatientFilesApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    async def board(self, since: datetime, keyword: str = "") -> list[PrescriptionView]:
        params = {"since": since.isoformat(), "q": keyword.strip() or None}
        response = await self.client.request(
            "GET", "/prescriptions", params={k: v for k, v in params.items() if v}
        )
        return _PRESCRIPTIONS.validate_python(response.json())

    async def search(self, criteria: dict[str, str]) -> PatientSearchResult:
        return await self.client.get_model(PatientSearchResult, "/patients", **criteria)

    async def patient(self, patient_id: int) -> PatientOut:
        return await self.client.get_model(PatientOut, f"/patients/{patient_id}")

    async def timeline(self, patient_id: int) -> list[TimelineEntry]:
        response = await self.client.request("GET", f"/patients/{patient_id}/timeline")
        return _TIMELINE.validate_python(response.json())

    async def patient_file(self, patient_id: int) -> PatientFile:
        patient, timeline = await asyncio.gather(self.patient(patient_id), self.timeline(patient_id))
        return PatientFile(patient, timeline)
