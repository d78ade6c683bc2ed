"""« Statistiques » (supervisors): the period chosen and the series the charts draw (no Qt).

The server computes the figures within the supervisor's board scope (`GET /stats`, see
server/services/stats.py); here they become labelled series in French. Calls per hour: over one
day, hour by hour; over several days, summed by hour of the day (0 h … 23 h), so that a month
still reads as « when do the calls come ».
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desktop.state import times
from shared.domain import PrescriptionState
from shared.schemas.stats import DelayBucket, Statistics

PARIS = "Europe/Paris"


class PeriodChoice(StrEnum):
    TODAY = "today"
    DAYS_7 = "7d"
    DAYS_14 = "14d"
    DAYS_30 = "30d"
    DAYS_365 = "365d"

    @property
    def label(self) -> str:
        return _PERIOD_LABELS[self]


_PERIOD_LABELS = {
    PeriodChoice.TODAY: "Aujourd'hui",
    PeriodChoice.DAYS_7: "7 derniers jours",
    PeriodChoice.DAYS_14: "14 derniers jours",
    PeriodChoice.DAYS_30: "30 derniers jours",
    PeriodChoice.DAYS_365: "12 derniers mois",
}
_PERIOD_DAYS = {
    PeriodChoice.DAYS_7: 7,
    PeriodChoice.DAYS_14: 14,
    PeriodChoice.DAYS_30: 30,
    PeriodChoice.DAYS_365: 365,
}
DEFAULT_PERIOD = PeriodChoice.DAYS_14  # the board's default


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime
    tz: str = PARIS

    def params(self) -> dict[str, str]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "tz": self.tz}

    @property
    def days(self) -> float:
        return (self.until - self.since).total_seconds() / 86400

    def csv_name(self) -> str:
        """The file name the save dialog proposes (the server's own naming)."""
        zone = times.zone_named(self.tz)
        since, until = times.in_zone(self.since, zone), times.in_zone(self.until, zone)
        return f"declenchements-{since:%Y%m%d}-{until:%Y%m%d}.csv"


def start_of_day(now: datetime, tz: str = PARIS) -> datetime:
    return times.start_of_day(now, times.zone_named(tz))


def period_for(choice: PeriodChoice, now: datetime, tz: str = PARIS) -> Period:
    """From the start of today (local time) or N days back, up to just after `now`."""
    until = now + timedelta(seconds=1)
    if choice is PeriodChoice.TODAY:
        return Period(start_of_day(now, tz), until, tz)
    return Period(now - timedelta(days=_PERIOD_DAYS[choice]), until, tz)


# Bars of « Déclenchements par état », in the life order of a request.
STATE_LABELS = {
    PrescriptionState.PENDING: "En cours",
    PrescriptionState.ACCEPTED: "Accepté",
    PrescriptionState.STARTED: "Débuté",
    PrescriptionState.FINISHED: "Terminé",
    PrescriptionState.EXPIRED: "Expiré",
    PrescriptionState.CANCELLED: "Annulé",
}


@dataclass(frozen=True)
class HourBar:
    label: str
    incoming: int
    missed: int
    outgoing: int


@dataclass(frozen=True)
class ChartData:
    """Everything the statistics tab draws, in French."""

    hours_title: str
    hours: list[HourBar]
    states: list[tuple[str, int]]
    professions: list[tuple[str, int]]
    delays: list[tuple[str, int]]
    sent: int
    accepted: int
    expired: int
    cancelled: int
    pending: int
    rate_text: str
    expired_share_text: str
    median_text: str

    @property
    def has_calls(self) -> bool:
        return any(b.incoming or b.outgoing for b in self.hours)

    @property
    def has_prescriptions(self) -> bool:
        return self.sent > 0


def percent(value: float | None) -> str:
    """« 72 % » (French spacing), « — » when there is nothing to divide."""
    if value is None:
        return "—"
    text = f"{value * 100:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} %"


def minutes_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{round(value * 60)} s"
    if value < 60:
        return f"{value:.1f}".replace(".", ",").removesuffix(",0") + " min"
    hours, minutes = divmod(round(value), 60)
    return f"{hours} h {minutes:02d}"


def delay_labels(buckets: list[DelayBucket]) -> list[tuple[str, int]]:
    """Minutes, short enough for the axis: « ≤ 1 », « 1–2 », …, « > 120 »."""
    labelled: list[tuple[str, int]] = []
    previous: int | None = None
    for bucket in buckets:
        if bucket.up_to_minutes is None:
            label = f"> {previous}" if previous is not None else "tous"
        elif previous is None:
            label = f"≤ {bucket.up_to_minutes}"
        else:
            label = f"{previous}–{bucket.up_to_minutes}"
        labelled.append((label, bucket.count))
        previous = bucket.up_to_minutes if bucket.up_to_minutes is not None else previous
    return labelled


def hour_bars(stats: Statistics, period: Period) -> tuple[str, list[HourBar]]:
    zone = times.zone_named(period.tz)
    if period.days <= 1:
        bars = [
            HourBar(f"{times.hour_of(h.hour, zone):02d} h", h.incoming, h.missed, h.outgoing)
            for h in stats.calls_per_hour
        ]
        return "Appels par heure", bars
    sums = {hour: [0, 0, 0] for hour in range(24)}
    for h in stats.calls_per_hour:
        counts = sums[times.hour_of(h.hour, zone)]
        counts[0] += h.incoming
        counts[1] += h.missed
        counts[2] += h.outgoing
    bars = [HourBar(f"{hour} h", *counts) for hour, counts in sums.items()]
    return "Appels par heure de la journée (cumul de la période)", bars


def chart_data(stats: Statistics, period: Period) -> ChartData:
    hours_title, hours = hour_bars(stats, period)
    by_state = stats.prescriptions_by_state
    acceptance = stats.acceptance
    return ChartData(
        hours_title=hours_title,
        hours=hours,
        states=[(label, by_state.get(state.value, 0)) for state, label in STATE_LABELS.items()],
        professions=[(p.profession or p.profession_code, p.count) for p in stats.prescriptions_by_profession],
        delays=delay_labels(stats.minutes_to_acceptance),
        sent=acceptance.sent,
        accepted=acceptance.accepted,
        expired=acceptance.expired,
        cancelled=acceptance.cancelled,
        pending=acceptance.pending,
        rate_text=percent(acceptance.rate),
        expired_share_text=percent(acceptance.expired_share),
        median_text=minutes_text(stats.median_minutes_to_acceptance),
    )


def outcome_slices(data: ChartData) -> list[tuple[str, int]]:
    """The pie of what became of the requests: accepted (started, finished), expired, cancelled,
    still pending."""
    return [
        ("Acceptés", data.accepted),
        ("Expirés", data.expired),
        ("Annulés", data.cancelled),
        ("En cours", data.pending),
    ]


def summary_line(data: ChartData) -> str:
    return (
        f"{data.sent} déclenchement{'s' if data.sent != 1 else ''} — taux d'acceptation "
        f"{data.rate_text} — expirés sans intervenant {data.expired_share_text} "
        f"({data.expired}) — délai médian avant acceptation {data.median_text}"
    )


CSV_TIME_COLUMNS = ("envoyée", "acceptée")


def csv_in_zone(content: bytes, tz: str = PARIS) -> bytes:
    """The server's CSV (UTC, ISO 8601) with its times in the platform's zone, offset included
    (« 2027-01-15T09:00:00+01:00 »); anything it cannot read is left as the server wrote it."""
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    if not rows:
        return content
    columns = [i for i, name in enumerate(rows[0]) if name in CSV_TIME_COLUMNS]
    zone = times.zone_named(tz)
    for row in rows[1:]:
        for i in columns:
            if i < len(row) and row[i]:
                with contextlib.suppress(ValueError):
                    row[i] = times.iso(datetime.fromisoformat(row[i]), zone)
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
