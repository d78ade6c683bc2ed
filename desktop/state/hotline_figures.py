"""The hotline's figures in French, without Qt (issue 19): the statistics tab's section
(`GET /stats/hotline`: received, answered, lost, service level against its target, within 60 s,
waits, talk and wrap-up, per hour, per operator with pause time by reason, qualifications) and the
wall-board's tiles, coloured by thresholds.

Thresholds (`Level`, the wall-board's cell colours):
- calls waiting: 0 « ok », 1–2 « watch », 3 or more « alert » (`WAITING_WATCH`, `WAITING_ALERT`);
- longest wait: under the service level (20 s) « ok », under 60 s « watch », 60 s or more
  « alert » (the SAMU's anchor: 99 % answered within 60 s);
- service level of the day: at or above its target (80 %) « ok », up to 10 points below « watch »,
  lower « alert »; no call yet: « none »;
- operators available: at least one « ok »; none while callers wait « alert », none otherwise « watch ».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from desktop.state.agent_state import label_of
from desktop.state.hotline_board import STATE_ORDER, duration_text
from desktop.state.statistics import Period
from desktop.state.times import hour_of, in_zone, zone_named
from shared.schemas.hotline import AgentState, Code, HotlineFigures, HotlineStatsOut

WAITING_WATCH = 1
WAITING_ALERT = 3
LONG_WAIT_ALERT_SECONDS = 60
SERVICE_LEVEL_WATCH_POINTS = 10


class Level(StrEnum):
    OK = "ok"
    WATCH = "watch"
    ALERT = "alert"
    NONE = "none"


LEVEL_COLOURS = {Level.OK: "#66bb6a", Level.WATCH: "#ffca28", Level.ALERT: "#ef5350", Level.NONE: "#ffffff"}


def waiting_level(waiting: int) -> Level:
    if waiting >= WAITING_ALERT:
        return Level.ALERT
    return Level.WATCH if waiting >= WAITING_WATCH else Level.OK


def wait_level(seconds: float, service_level_seconds: int) -> Level:
    if seconds >= LONG_WAIT_ALERT_SECONDS:
        return Level.ALERT
    return Level.WATCH if seconds >= service_level_seconds else Level.OK


def service_level(percent: float | None, target: int) -> Level:
    if percent is None:
        return Level.NONE
    if percent >= target:
        return Level.OK
    return Level.WATCH if percent >= target - SERVICE_LEVEL_WATCH_POINTS else Level.ALERT


def available_level(available: int, waiting: int) -> Level:
    if available > 0:
        return Level.OK
    return Level.ALERT if waiting > 0 else Level.WATCH


def percent_text(value: float | None) -> str:
    """The server's percentages (0–100): « 82,5 % », « — » when nothing was received."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + " %"


def seconds_text(value: float | None) -> str:
    return "—" if value is None else duration_text(round(value))


# ---- the wall-board -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    level: Level


def wall_tiles(
    waiting: int,
    longest_wait: float,
    today: HotlineFigures | None,
    service_level_seconds: int,
    target: int,
    counts: dict[AgentState, int],
) -> list[Tile]:
    """The hotline's row of the wall-board, in reading order."""
    level_percent = today.service_level_percent if today is not None else None
    others = ", ".join(
        f"{counts.get(s, 0)} {s.label.lower()}" for s in STATE_ORDER if s is not AgentState.AVAILABLE
    )
    available = counts.get(AgentState.AVAILABLE, 0)
    return [
        Tile("hotline_waiting", "Appels en attente", str(waiting), waiting_level(waiting)),
        Tile(
            "hotline_longest",
            "Attente la plus longue",
            duration_text(longest_wait),
            wait_level(longest_wait, service_level_seconds),
        ),
        Tile(
            "hotline_level",
            f"Décrochés en moins de {service_level_seconds} s aujourd'hui (objectif {target} %)",
            percent_text(level_percent),
            service_level(level_percent, target),
        ),
        Tile(
            "hotline_available",
            f"Opérateurs disponibles ({others})",
            str(available),
            available_level(available, waiting),
        ),
    ]


# ---- the statistics tab ---------------------------------------------------------------------------


def summary_lines(stats: HotlineStatsOut) -> list[tuple[str, str, Level]]:
    """(label, value, level) of the period's figures."""
    total = stats.total
    target = stats.service_level_target_percent
    return [
        ("Appels reçus", str(total.received), Level.NONE),
        ("Décrochés", str(total.answered), Level.NONE),
        ("Perdus (raccroché avant réponse)", str(total.lost), Level.NONE),
        (
            f"Décrochés en moins de {stats.service_level_seconds} s (objectif {target} %)",
            percent_text(total.service_level_percent),
            service_level(total.service_level_percent, target),
        ),
        (
            "Décrochés en moins de 60 s (repère SAMU : 99 %)",
            percent_text(total.answered_within_60s_percent),
            service_level(total.answered_within_60s_percent, 99),
        ),
        ("Attente moyenne", seconds_text(total.mean_wait_seconds), Level.NONE),
        ("Attente maximale", seconds_text(total.max_wait_seconds), Level.NONE),
        ("Durée moyenne de communication", seconds_text(total.mean_talk_seconds), Level.NONE),
        ("Durée moyenne de post-appel", seconds_text(total.mean_wrap_up_seconds), Level.NONE),
    ]


HOUR_COLUMNS = ("Heure", "Reçus", "Décrochés", "Perdus", "Niveau de service", "Attente moyenne")


def hour_rows(stats: HotlineStatsOut, period: Period) -> list[tuple[str, ...]]:
    """One row per hour with calls, its hour in the period's zone (Paris)."""
    zone = zone_named(period.tz)
    days = period.days > 1
    rows: list[tuple[str, ...]] = []
    for hour in stats.hours:
        if not hour.received:
            continue
        label = (
            f"{in_zone(hour.hour, zone):%d/%m} {hour_of(hour.hour, zone):02d} h"
            if days
            else (f"{hour_of(hour.hour, zone):02d} h")
        )
        rows.append(
            (
                label,
                str(hour.received),
                str(hour.answered),
                str(hour.lost),
                percent_text(hour.service_level_percent),
                seconds_text(hour.mean_wait_seconds),
            )
        )
    return rows


def operator_columns(pause_reasons: list[Code], stats: HotlineStatsOut) -> tuple[list[str], list[str]]:
    """The per-operator table's headers and the pause reasons' codes in column order."""
    used = sorted({code for o in stats.operators for code in o.pause_seconds_by_reason})
    listed = {c.code for c in pause_reasons}
    known = [c.code for c in pause_reasons if c.code in used] + [c for c in used if c not in listed]
    headers = ["Opérateur", "Décrochés", "Communication", "Post-appel"]
    headers += [f"Pause — {label_of(pause_reasons, code)}" for code in known]
    return headers, known


def operator_rows(stats: HotlineStatsOut, codes: list[str]) -> list[list[str]]:
    return [
        [o.name, str(o.answered), duration_text(o.talk_seconds), duration_text(o.wrap_up_seconds)]
        + [duration_text(o.pause_seconds_by_reason.get(code, 0.0)) for code in codes]
        for o in sorted(stats.operators, key=lambda o: o.name.lower())
    ]


def qualification_rows(stats: HotlineStatsOut, qualifications: list[Code]) -> list[tuple[str, int]]:
    """(label, calls), most frequent first."""
    return sorted(
        ((label_of(qualifications, code), count) for code, count in stats.qualifications.items()),
        key=lambda row: (-row[1], row[0]),
    )


def csv_name(start: datetime, end: datetime) -> str:
    return f"standard-{in_zone(start):%Y%m%d}-{in_zone(end):%Y%m%d}.csv"
