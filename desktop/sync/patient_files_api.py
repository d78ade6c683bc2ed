"""« Fiches patients »: the active list (board of the period + patient search by keyword) and one
patient's page (identity, usual professionals, timeline), on ``ApiClient.request``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from desktop.sync.errors import RequestRefused
from desktop.workflows.patient_files import (
    PatientFileRow,
    merge_rows,
    row_from_match,
    rows_from_board,
    search_criteria,
)
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.patients import PatientOut, PatientSearchResult, TimelineEntry

_PRESCRIPTIONS = TypeAdapter(list[PrescriptionView])
_TIMELINE = TypeAdapter(list[TimelineEntry])
# Patients found only by the search get their timeline read too; at most this many at once.
SEARCH_TIMELINES = 10


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

    async def search(self, keyword: str) -> PatientSearchResult | None:
        criteria = search_criteria(keyword)
        if criteria is None:
            return None
        return await self.client.get_model(PatientSearchResult, "/patients", **criteria)

    async def patient(self, patient_id: int) -> PatientOut:
        return await self.client.get_model(PatientOut, f"/patients/{patient_id}")

    async def timeline(self, patient_id: int) -> list[TimelineEntry]:
        response = await self.client.request("GET", f"/patients/{patient_id}/timeline")
        return _TIMELINE.validate_python(response.json())

    async def patient_file(self, patient_id: int) -> PatientFile:
        patient, timeline = await asyncio.gather(self.patient(patient_id), self.timeline(patient_id))
        return PatientFile(patient, timeline)

    async def active_list(self, since: datetime, keyword: str = "") -> list[PatientFileRow]:
        """The patients with activity since ``since`` (matching the keyword), and the patients the
        keyword finds in the patient search, the most recent activity first."""
        board_rows = rows_from_board(await self.board(since, keyword))
        try:
            found = await self.search(keyword) if keyword.strip() else None
        except RequestRefused:
            found = None  # a keyword the patient search refuses still filters the board
        known = {row.patient_id for row in board_rows}
        extra = [m for m in (found.items if found else []) if m.id not in known][:SEARCH_TIMELINES]
        timelines = await asyncio.gather(*(self.timeline(m.id) for m in extra))
        found_rows = [row_from_match(m, t) for m, t in zip(extra, timelines, strict=True)]
        return merge_rows(board_rows, found_rows)
