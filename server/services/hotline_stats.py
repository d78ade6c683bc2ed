"""The hotline's figures over a period (`GET /stats/hotline`, issue 19), and their CSV export.

Calls are counted by their arrival (`hotline_calls.arrived_at` within [start, end)); hours are the
platform's (Europe/Paris). Definitions:
- received: every call to the hotline number; answered: taken by an operator; lost: the caller hung
  up before (waiting in the queue or while operators rang);
- answered within N s: waited N seconds or less before being answered; the service level is that
  count ÷ received (lost calls count against it), as the 80 % in 20 s and the SAMU's 99 % in 60 s;
- wait: from arrival to the answer, or to the hang-up of a lost call (mean and max over both);
- talk: from the answer to the end; wrap-up: a Post-appel period that began in the period (or hour).
Per operator: calls answered, their talk, and the time in Post-appel and in Pause by reason within
the period (periods cut at its bounds; the current one counts up to now).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.models import AgentStatePeriod, CallRecord, HotlineCall, User
from server.security.principal import Principal
from server.services import agent_states, hotline_settings
from server.services.hotline_routing import LOST
from server.services.spreadsheet_cells import inert_row
from shared.schemas.hotline import (
    AgentState,
    HotlineFigures,
    HotlineStatsOut,
    HourFigures,
    OperatorFigures,
)

PLATFORM_ZONE = ZoneInfo("Europe/Paris")
SAMU_SECONDS = 60


@dataclass(frozen=True)
class _Call:
    arrived_at: datetime
    answered_by: int | None
    answered: bool
    lost: bool
    wait: float | None
    talk: float | None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return max(0.0, (end - start).total_seconds()) if start is not None and end is not None else None


def _calls(session: Session, start: datetime, end: datetime) -> list[_Call]:
    rows = session.scalars(
        select(HotlineCall).where(HotlineCall.arrived_at >= start, HotlineCall.arrived_at < end)
    )
    return [
        _Call(
            arrived_at=c.arrived_at,
            answered_by=c.answered_by,
            answered=c.answered_at is not None,
            lost=c.state == LOST,
            wait=c.wait_seconds,
            talk=_seconds(c.answered_at, c.ended_at),
        )
        for c in rows
    ]


def _periods(session: Session, start: datetime, end: datetime) -> list[AgentStatePeriod]:
    """Pause and Post-appel periods that overlap [start, end)."""
    query = select(AgentStatePeriod).where(
        AgentStatePeriod.state.in_((AgentState.PAUSE.value, AgentState.AFTER_CALL.value)),
        AgentStatePeriod.started_at < end,
        or_(AgentStatePeriod.ended_at.is_(None), AgentStatePeriod.ended_at > start),
    )
    return list(session.scalars(query))


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _figures(calls: list[_Call], wrap_ups: list[float], service_level: int) -> HotlineFigures:
    answered = [c for c in calls if c.answered]
    waits = [c.wait for c in calls if c.wait is not None and (c.answered or c.lost)]
    within = sum(1 for c in answered if c.wait is not None and c.wait <= service_level)
    within_60 = sum(1 for c in answered if c.wait is not None and c.wait <= SAMU_SECONDS)
    return HotlineFigures(
        received=len(calls),
        answered=len(answered),
        lost=sum(1 for c in calls if c.lost),
        answered_within_service_level=within,
        service_level_percent=_percent(within, len(calls)),
        answered_within_60s_percent=_percent(within_60, len(calls)),
        mean_wait_seconds=_mean(waits),
        max_wait_seconds=round(max(waits), 1) if waits else None,
        mean_talk_seconds=_mean([c.talk for c in answered if c.talk is not None]),
        mean_wrap_up_seconds=_mean(wrap_ups),
    )


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(PLATFORM_ZONE).replace(minute=0, second=0, microsecond=0)


def _clipped(period: AgentStatePeriod, start: datetime, end: datetime) -> float:
    return _seconds(max(period.started_at, start), min(period.ended_at or end, end)) or 0.0


def _operators(
    session: Session,
    by: Principal,
    calls: list[_Call],
    periods: list[AgentStatePeriod],
    start: datetime,
    until: datetime,
) -> list[OperatorFigures]:
    answered: Counter[int] = Counter(c.answered_by for c in calls if c.answered_by is not None)
    talk: defaultdict[int, float] = defaultdict(float)
    for c in calls:
        if c.answered_by is not None and c.talk is not None:
            talk[c.answered_by] += c.talk
    wrap_up: defaultdict[int, float] = defaultdict(float)
    pauses: defaultdict[int, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for p in periods:
        seconds = _clipped(p, start, until)
        if p.state == AgentState.AFTER_CALL.value:
            wrap_up[p.user_id] += seconds
        else:
            pauses[p.user_id][p.pause_reason or ""] += seconds
    ids = set(answered) | set(wrap_up) | set(pauses)
    if not ids:
        return []
    query = select(User.id, User.display_name).where(User.id.in_(ids)).order_by(User.display_name, User.id)
    scope = agent_states.visible_user_ids(by)
    if scope is not None:
        query = query.where(scope)  # type: ignore[arg-type]
    return [
        OperatorFigures(
            user_id=user_id,
            name=name,
            answered=answered[user_id],
            talk_seconds=round(talk[user_id], 1),
            wrap_up_seconds=round(wrap_up[user_id], 1),
            pause_seconds_by_reason={r: round(s, 1) for r, s in sorted(pauses[user_id].items())},
        )
        for user_id, name in session.execute(query).tuples()
    ]


def _qualifications(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    codes = session.scalars(
        select(CallRecord.qualification).where(
            CallRecord.started_at >= start, CallRecord.started_at < end, CallRecord.qualification.is_not(None)
        )
    )
    return dict(sorted(Counter(c for c in codes if c is not None).items()))


def compute(
    session: Session, by: Principal, start: datetime, end: datetime, now: datetime
) -> HotlineStatsOut:
    settings = hotline_settings.current(session)
    level = settings.service_level_seconds
    calls = _calls(session, start, end)
    periods = _periods(session, start, end)
    closed_wrap_ups = [
        (p.started_at, _seconds(p.started_at, p.ended_at) or 0.0)
        for p in periods
        if p.state == AgentState.AFTER_CALL.value and p.ended_at is not None and p.started_at >= start
    ]
    hours: defaultdict[datetime, list[_Call]] = defaultdict(list)
    hour_wrap_ups: defaultdict[datetime, list[float]] = defaultdict(list)
    for c in calls:
        hours[_hour(c.arrived_at)].append(c)
    for began, seconds in closed_wrap_ups:
        hour_wrap_ups[_hour(began)].append(seconds)
    return HotlineStatsOut(
        start=start,
        end=end,
        service_level_seconds=level,
        service_level_target_percent=settings.service_level_target_percent,
        total=_figures(calls, [s for _, s in closed_wrap_ups], level),
        hours=[
            HourFigures(hour=h, **_figures(hours[h], hour_wrap_ups[h], level).model_dump())
            for h in sorted(set(hours) | set(hour_wrap_ups))
        ],
        operators=_operators(session, by, calls, periods, start, min(end, now)),
        qualifications=_qualifications(session, start, end),
    )


def _number(value: float | None) -> str:
    """French spreadsheets: a decimal comma; nothing for « no value »."""
    return "" if value is None else f"{value:g}".replace(".", ",")


def _figure_cells(f: HotlineFigures) -> tuple[object, ...]:
    return (
        f.received,
        f.answered,
        f.lost,
        f.answered_within_service_level,
        _number(f.service_level_percent),
        _number(f.answered_within_60s_percent),
        _number(f.mean_wait_seconds),
        _number(f.max_wait_seconds),
        _number(f.mean_talk_seconds),
        _number(f.mean_wrap_up_seconds),
    )


def csv_export(stats: HotlineStatsOut, labels: dict[str, str]) -> str:
    """Three tables, `;`-separated, one blank line apart: per hour (and the total), per operator,
    per qualification. Names and labels typed by people are neutralised (spreadsheet_cells)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    level = stats.service_level_seconds
    writer.writerow((
        "heure", "reçus", "décrochés", "perdus", f"décrochés_en_{level}s_ou_moins",
        "niveau_de_service_%", "décrochés_en_60s_%", "attente_moyenne_s", "attente_max_s",
        "conversation_moyenne_s", "post_appel_moyen_s",
    ))  # fmt: skip
    for hour in stats.hours:
        writer.writerow((hour.hour.isoformat(), *_figure_cells(hour)))
    writer.writerow(("total", *_figure_cells(stats.total)))
    writer.writerow(())
    reasons = sorted({r for o in stats.operators for r in o.pause_seconds_by_reason})
    writer.writerow(
        ("opérateur", "décrochés", "conversation_s", "post_appel_s", *(f"pause_{r}_s" for r in reasons))
    )
    for o in stats.operators:
        pauses = (_number(o.pause_seconds_by_reason.get(r, 0.0)) for r in reasons)
        writer.writerow(
            inert_row((o.name, o.answered, _number(o.talk_seconds), _number(o.wrap_up_seconds), *pauses))
        )
    writer.writerow(())
    writer.writerow(("qualification", "libellé", "appels"))
    for code, count in stats.qualifications.items():
        writer.writerow(inert_row((code, labels.get(code, code), count)))
    return out.getvalue()


def labels(session: Session) -> dict[str, str]:
    return {c.code: c.label for c in hotline_settings.current(session).qualifications}
