"""Times as the pages show them: in Europe/Paris, or in the zone a prescription carries (an
intervention in Martinique is shown in Martinique's time), never in the server's own zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def local(moment: datetime, tz: str | None = None) -> datetime:
    return moment.astimezone(ZoneInfo(tz) if tz else PARIS)


def when(moment: datetime | None, tz: str | None = None) -> str:
    """« 04/12/2026 à 19:05 »."""
    return "" if moment is None else local(moment, tz).strftime("%d/%m/%Y à %H:%M")


def hour(moment: datetime | None, tz: str | None = None) -> str:
    return "" if moment is None else local(moment, tz).strftime("%H:%M")


def day(value: date | datetime | None, tz: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, tz).date()
    return value.strftime("%d/%m/%Y")


def duration(seconds: float | None) -> str:
    """« 1 h 05 min », « 12 min », « 40 s », « 2 j 3 h »."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h" if hours else f"{days} j"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()
