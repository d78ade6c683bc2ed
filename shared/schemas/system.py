"""Health, test clock and audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.schemas.common import ApiModel


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["sqlite", "postgresql"]
    version: str


class ClockAdvance(ApiModel):
    seconds: float = Field(gt=0, le=366 * 24 * 3600)


class ClockState(BaseModel):
    now: datetime
    processed: dict[str, int]


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    action: str
    patient_id: int | None
    method: str
    path: str
    status: int
    client_ip: str | None
    client_agent: str | None
    detail: dict[str, Any]
