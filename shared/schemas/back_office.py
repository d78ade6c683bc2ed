"""The administrators' back office: networks with their members, the home page's counts, and the
audit trail's filters (the users and professionals themselves are in shared/schemas/admin.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from shared.schemas.auth import UserOut
from shared.schemas.common import ApiModel
from shared.validation import ValidationFailure

AUDIT_PAGE_MAX = 1000
AUDIT_PERIOD_DAYS_MAX = 3660


class NetworkRename(ApiModel):
    name: str = Field(min_length=2, max_length=120)


class NetworkSummary(BaseModel):
    """A network in the back office's list: its name and how many accounts belong to it."""

    id: int
    name: str
    members: int = Field(description="Every account of the network (staff and professionals)")
    professionals: int = Field(description="Professionals among them")
    active_members: int = Field(description="Members whose account is active")


class BlockedLogin(BaseModel):
    username: str
    blocked_until: str = Field(description="ISO 8601 time (UTC)")


class AdminUserOut(UserOut):
    """A user in the back office's list: the account, and whether the login throttle blocks it."""

    blocked_until: datetime | None = Field(
        default=None,
        description="End of the longest login block in force on this username (UTC); null: not blocked",
    )


class BackOfficeOverview(BaseModel):
    """What the administrator's « Accueil » shows: only what exists on this server."""

    users_by_role: dict[str, int] = Field(description="Active accounts per role")
    inactive_users: int
    professionals_active: int
    professionals_inactive: int
    networks: int
    blocked_logins: list[BlockedLogin] = Field(description="Usernames blocked by the login throttle now")
    refusals_last_24h: int = Field(description="Audit entries `forbidden` of the last 24 hours")
    registrations_to_review: int = Field(default=0, description="Registrations waiting for the team")


class AuditFilter(ApiModel):
    """The audit trail's filters, as `GET /admin/audit` and `GET /admin/audit.csv` take them.

    `since` and `until` are days in `tz` (Europe/Paris by default), both included."""

    user_id: int | None = Field(default=None, ge=1)
    username: str | None = Field(default=None, min_length=1, max_length=64)
    patient_id: int | None = Field(default=None, ge=1)
    action: str | None = Field(default=None, min_length=1, max_length=40)
    since: date | None = None
    until: date | None = None

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.since is not None and self.until is not None:
            if self.until < self.since:
                raise ValidationFailure("period_invalid", "La fin de la période doit suivre son début")
            if (self.until - self.since).days > AUDIT_PERIOD_DAYS_MAX:
                raise ValidationFailure("period_too_long", "Période trop longue (dix ans au plus)")
        return self

    def described(self) -> dict[str, str | int]:
        """The filters given, as the audit entry of a read or an export records them."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self if v is not None}
