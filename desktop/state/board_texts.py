"""The board's words for durations, countdowns, rounds and refusals, without Qt."""

from __future__ import annotations

import unicodedata
from datetime import timedelta


def fold(text: str) -> str:
    """Lower case without accents: « Hélène » and « helene » match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ordinal(round_: int) -> str:
    return "1er" if round_ == 1 else f"{round_}e"


def intervention_delay_text(minutes: int | None) -> str:
    """« Immédiat » (the wizard's word for 0), « délai : 2 heure(s) », nothing without a delay."""
    if minutes is None:
        return ""
    return "Immédiat" if minutes == 0 else f"délai : {duration_text(minutes)}"


def duration_text(minutes: int) -> str:
    if minutes % (60 * 24) == 0 and minutes:
        return f"{minutes // (60 * 24)} jour(s)"
    if minutes % 60 == 0 and minutes:
        return f"{minutes // 60} heure(s)"
    return f"{minutes} minute(s)"


def countdown_text(left: timedelta) -> str:
    """« 12 min 05 s », « 1 h 05 min », « Délai dépassé »."""
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return "Délai dépassé"
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours >= 24:
        return f"{hours // 24} j {hours % 24:02d} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {seconds:02d} s"


def refusals_text(count: int) -> str:
    """« 1 refus », « 2 refus » (invariable); nothing without a refusal."""
    return f"{count} refus" if count > 0 else ""
