"""Statistics for supervisors and their CSV export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from server.api.context import Caller, RoleGuard
from server.errors import Invalid
from server.security.principal import STAFF
from server.services import board, hotline_stats, stats
from shared.domain import Role
from shared.schemas.common import AwareMoment, TimeZoneName
from shared.schemas.hotline import HotlineStatsOut
from shared.schemas.stats import Statistics

router = APIRouter(prefix="/stats", tags=["stats"])
Staff = Annotated[Caller, Depends(RoleGuard(*STAFF))]
Supervisor = Annotated[Caller, Depends(RoleGuard(Role.SUPERVISOR, Role.ADMIN))]
MAX_DAYS = 366


def _period(
    caller: Caller, since: AwareMoment | None, until: AwareMoment | None
) -> tuple[AwareMoment, AwareMoment]:
    start, end = stats.default_period(caller.state.clock.now())
    start, end = since or start, until or end
    if end <= start:
        raise Invalid("period_invalid", "La fin de la période doit suivre son début")
    if (end - start).days > MAX_DAYS:
        raise Invalid("period_too_long", "Période trop longue (un an au plus)")
    return start, end


@router.get("", response_model=Statistics)
def statistics(
    caller: Staff,
    since: AwareMoment | None = None,
    until: AwareMoment | None = None,
    scope: board.Scope | None = None,
    tz: Annotated[TimeZoneName, Query()] = "Europe/Paris",
) -> Statistics:
    start, end = _period(caller, since, until)
    with caller.state.db.session() as session:
        return stats.compute(
            session, caller.principal, scope or board.default_scope(caller.principal), start, end, tz
        )


@router.get("/prescriptions.csv", response_class=Response)
def prescriptions_csv(
    caller: Staff,
    since: AwareMoment | None = None,
    until: AwareMoment | None = None,
    scope: board.Scope | None = None,
) -> Response:
    start, end = _period(caller, since, until)
    with caller.state.db.session() as session:
        text = stats.csv_export(
            session, caller.principal, scope or board.default_scope(caller.principal), start, end
        )
        caller.audit(session, "stats_export", since=start.isoformat(), until=end.isoformat())
    name = f"declenchements-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    return Response(
        # A BOM so that spreadsheets open the accents right.
        content="\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/hotline",
    response_model=HotlineStatsOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def hotline(
    caller: Supervisor,
    start: AwareMoment | None = None,
    end: AwareMoment | None = None,
    format: Literal["json", "csv"] = "json",
) -> HotlineStatsOut | Response:
    """The hotline's figures (issue 19): calls received, answered, lost, service level, waits, talk
    and wrap-up, per hour (Europe/Paris) and per operator, qualifications; `format=csv` exports
    them (the last 14 days by default)."""
    start, end = _period(caller, start, end)
    with caller.state.db.session() as session:
        figures = hotline_stats.compute(session, caller.principal, start, end, caller.state.clock.now())
        if format == "json":
            return figures
        text = hotline_stats.csv_export(figures, hotline_stats.labels(session))
        caller.audit(session, "stats_export", since=start.isoformat(), until=end.isoformat(), what="hotline")
    name = f"ligne-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    return Response(
        content="\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
