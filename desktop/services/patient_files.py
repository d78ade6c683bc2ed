"""« Fiches patients »' active list: the patients with activity in the period (the board read by
keyword) and those the keyword finds in the patient search, each with its last events."""

from __future__ import annotations

import asyncio
from datetime import datetime

from desktop.state.patient_files import (
    PatientFileRow,
    merge_rows,
    row_from_match,
    rows_from_board,
    search_criteria,
)
from desktop.sync.errors import RequestRefused
from desktop.sync.patient_files_api import PatientFilesApi
from shared.schemas.patients import PatientSearchResult

# Patients found only by the search get their timeline read too; at most this many at once.
SEARCH_TIMELINES = 10


async def search(api: PatientFilesApi, keyword: str) -> PatientSearchResult | None:
    """The patient search for a keyword (None: the keyword searches no patient trait)."""
    criteria = search_criteria(keyword)
    if criteria is None:
        return None
    return await api.search(criteria)


async def active_list(api: PatientFilesApi, since: datetime, keyword: str = "") -> list[PatientFileRow]:
    """The patients with activity since ``since`` (matching the keyword), and the patients the
    keyword finds in the patient search, the most recent activity first."""
    board_rows = rows_from_board(await api.board(since, keyword))
    try:
        found = await search(api, keyword) if keyword.strip() else None
    except RequestRefused:
        found = None  # a keyword the patient search refuses still filters the board
    known = {row.patient_id for row in board_rows}
    extra = [m for m in (found.items if found else []) if m.id not in known][:SEARCH_TIMELINES]
    timelines = await asyncio.gather(*(api.timeline(m.id) for m in extra))
    found_rows = [row_from_match(m, t) for m, t in zip(extra, timelines, strict=True)]
    return merge_rows(board_rows, found_rows)
