"""Statistics of the service for supervisors (the desktop draws them; CSV export)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class HourCount(BaseModel):
    hour: datetime  # start of the hour, in the time zone asked for
    incoming: int
    missed: int
    outgoing: int


class ProfessionCount(BaseModel):
    profession_code: str
    profession: str
    count: int


class DelayBucket(BaseModel):
    up_to_minutes: int | None  # None: longer than the previous bucket
    count: int


class Acceptance(BaseModel):
    sent: int
    accepted: int  # accepted, started or finished
    rate: float | None  # accepted / (accepted + expired + cancelled), None when none is settled
    expired: int
    expired_share: float | None  # expired / sent
    cancelled: int
    pending: int


class Statistics(BaseModel):
    since: datetime
    until: datetime
    calls_per_hour: list[HourCount]
    prescriptions_by_state: dict[str, int]
    prescriptions_by_profession: list[ProfessionCount]
    acceptance: Acceptance
    minutes_to_acceptance: list[DelayBucket]
    median_minutes_to_acceptance: float | None
