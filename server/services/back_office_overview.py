"""The administrator's « Accueil »: counts of what the platform team watches (accounts by role,
deactivated accounts, logins blocked by the throttle now, refused accesses of the last day)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.models import AuditEntry, Network, Registration, User
from server.security import login_limits
from shared.domain import Role
from shared.schemas.back_office import BackOfficeOverview, BlockedLogin

BLOCKED_SHOWN = 50


def overview(session: Session, now: datetime) -> BackOfficeOverview:
    by_role: dict[str, int] = {r.value: 0 for r in Role}
    inactive: dict[str, int] = {r.value: 0 for r in Role}
    counts = select(User.role, User.active, func.count()).group_by(User.role, User.active)
    for role, active, count in session.execute(counts):
        (by_role if active else inactive)[role] = int(count)
    blocked = login_limits.blocked_logins(session, now)[:BLOCKED_SHOWN]
    refusals = select(func.count()).where(
        AuditEntry.action == "forbidden", AuditEntry.at >= now - timedelta(hours=24)
    )
    return BackOfficeOverview(
        users_by_role=by_role,
        inactive_users=sum(inactive.values()),
        professionals_active=by_role[Role.PROFESSIONAL.value],
        professionals_inactive=inactive[Role.PROFESSIONAL.value],
        networks=int(session.scalar(select(func.count()).select_from(Network)) or 0),
        blocked_logins=[BlockedLogin(username=u, blocked_until=b.isoformat()) for u, b in blocked if b],
        refusals_last_24h=int(session.scalar(refusals.select_from(AuditEntry)) or 0),
        registrations_to_review=int(
            session.scalar(select(func.count()).where(Registration.status == "to_review")) or 0
        ),
    )
