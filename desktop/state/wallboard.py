"""« Mode mur d'écran »: the few live figures of the room's screen (no Qt).

Two reads of `GET /stats` within the supervisor's scope: today (from local midnight) gives the
accepted and expired requests, the acceptance rate and the median time to acceptance of the
requests sent today; the last `PENDING_LOOKBACK` gives the requests still pending (a response delay
is at most 7 days, so none older can still be pending). The view reads them again after each
prescription event of the change feed (grouped: one read for a burst of events).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.state.statistics import PARIS, Period, minutes_text, percent, start_of_day
from desktop.state.times import clock_time, zone_named
from shared.schemas.feed import FeedEvent, PrescriptionChange
from shared.schemas.stats import Statistics

PENDING_LOOKBACK = timedelta(days=8)
REFRESH_DELAY_MS = 300  # events of one burst (a case of 3 prescriptions) → one read


def refreshes(event: FeedEvent) -> bool:
    """A change of any request (sent, accepted, expired, renewed…) moves the figures."""
    return isinstance(event.payload, PrescriptionChange)


def today_period(now: datetime, tz: str = PARIS) -> Period:
    return Period(start_of_day(now, tz), now + timedelta(seconds=1), tz)


def pending_period(now: datetime, tz: str = PARIS) -> Period:
    return Period(now - PENDING_LOOKBACK, now + timedelta(seconds=1), tz)


@dataclass(frozen=True)
class WallboardFigures:
    pending: int
    accepted_today: int
    expired_today: int
    sent_today: int
    rate_today: float | None
    median_minutes_today: float | None

    @classmethod
    def of(cls, today: Statistics, recent: Statistics) -> WallboardFigures:
        return cls(
            pending=recent.acceptance.pending,
            accepted_today=today.acceptance.accepted,
            expired_today=today.acceptance.expired,
            sent_today=today.acceptance.sent,
            rate_today=today.acceptance.rate,
            median_minutes_today=today.median_minutes_to_acceptance,
        )

    def tiles(self) -> list[tuple[str, str, str]]:
        """(key, label, value) of each tile, in reading order."""
        return [
            ("pending", "En attente", str(self.pending)),
            ("accepted", "Acceptés aujourd'hui", str(self.accepted_today)),
            ("expired", "Expirés sans intervenant aujourd'hui", str(self.expired_today)),
            ("delay", "Délai médian d'acceptation", minutes_text(self.median_minutes_today)),
            ("rate", "Taux d'acceptation du jour", percent(self.rate_today)),
            ("sent", "Déclenchements du jour", str(self.sent_today)),
        ]


def updated_line(at: datetime, tz: str = PARIS) -> str:
    return f"Mis à jour à {clock_time(at, zone_named(tz))}"
