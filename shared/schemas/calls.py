"""Call records: what the desktop's softphone logs of every call (docs/telephony.md, « Call log »)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from shared.schemas.common import ApiModel
from shared.validation import ValidationFailure

CALL_OUTCOMES = ("completed", "missed", "rejected", "unanswered", "failed", "transferred")
IDENTIFICATIONS = ("identified", "unknown", "failed", "pending")
CASE_NUMBERS_MAX = 50
CANDIDATES_MAX = 20
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class IdentifiedCandidate(ApiModel):
    """One candidate of the screen pop, as the desktop showed it."""

    kind: Literal["professional", "patient", "user"]
    id: str = Field(max_length=60)
    display_name: str = Field(max_length=200)
    detail: str = Field(default="", max_length=200)


class CallRecordIn(ApiModel):
    """Version 1 of a call record, sent again with the same `id` when it changes (upsert)."""

    version: Literal[1] = 1
    id: str = Field(pattern=UUID_PATTERN)
    direction: Literal["incoming", "outgoing"]
    remote_number: str = Field(max_length=80)
    remote_raw: str = Field(default="", max_length=200)
    remote_display_name: str = Field(default="", max_length=200)
    local_number: str = Field(default="", max_length=80)
    identification: Literal["identified", "unknown", "failed", "pending"] | None = None
    identified: list[IdentifiedCandidate] = Field(default_factory=list, max_length=CANDIDATES_MAX)
    started_at: AwareDatetime
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime
    outcome: Literal["completed", "missed", "rejected", "unanswered", "failed", "transferred"]
    end_code: int | None = Field(default=None, ge=100, le=699)
    end_reason: str = Field(default="", max_length=200)
    duration_seconds: float = Field(ge=0, le=7 * 24 * 3600)
    case_numbers: list[str] = Field(default_factory=list, max_length=CASE_NUMBERS_MAX)
    sip_call_id: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ended_at < self.started_at:
            raise ValidationFailure("call_times", "La fin de l'appel précède son début")
        if self.answered_at is not None and not self.started_at <= self.answered_at <= self.ended_at:
            raise ValidationFailure("call_times", "L'heure de décroché est hors de l'appel")
        return self


class CallbackIn(ApiModel):
    note: str = Field(default="", max_length=500)


class CallRecordOut(BaseModel):
    id: str
    operator_id: int | None  # None: a hotline call lost in the queue, before any operator (issue 19)
    operator_name: str
    direction: str
    remote_number: str
    remote_display_name: str
    local_number: str
    identification: str | None
    identified: list[IdentifiedCandidate]
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    outcome: str
    end_code: int | None
    end_reason: str
    duration_seconds: float
    case_numbers: list[str]
    received_at: datetime
    # Missed calls: who took the callback, when (None: still to call back).
    callback_at: datetime | None
    callback_by: str | None
    callback_note: str
    # Issue 19: the wrap-up's code (hotline settings' qualifications), a lost call's wait in the queue.
    qualification: str | None = None
    queue_wait_seconds: float | None = None
