"""The care loop of the responder who accepted a prescription: visits (« passages »), reports
(« CR », several over a series) and the end of the series (« Fin série de soins »)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from shared.schemas.common import ApiModel, BlankIsNone, PersonRef, RequiredText

VISIT_NOTE_MAX = 2000


class VisitCreate(ApiModel):
    """A visit done: when (now when left out; never in the future) and an optional note."""

    at: AwareDatetime | None = None
    note: Annotated[str | None, Field(max_length=VISIT_NOTE_MAX), BlankIsNone] = None


class ReportCreate(ApiModel):
    text: RequiredText


class VisitOut(BaseModel):
    id: int
    number: int = Field(description="1 for the « 1er passage », 2 for the « 2e passage »…")
    label: str = Field(description="« 2e passage sur 6 »")
    at: datetime
    note: str | None
    by: PersonRef
    recorded_at: datetime


class ReportOut(BaseModel):
    id: int
    text: str
    author: PersonRef
    at: datetime


class CareProgress(BaseModel):
    """Where the series stands: visits done of those planned (days × visits per day), the reports,
    and when the acceptor ended the series (the file then sits in their « Mes archives »)."""

    visits_done: int
    visits_planned: int
    label: str = Field(description="« 2e passage sur 6 » (the last one done), « Aucun passage sur 6 »")
    visits: list[VisitOut]
    reports: list[ReportOut]
    series_ended_at: datetime | None
