"""« Pref. Notifs » in the back office's professional dialog: the week, one row per weekday in the
FAQ's three states (« Disponible toute la journée », « Horaires personnalisés », « Indisponible toute
la journée ») as the professional's own « Profil Activité » holds them, the custom hours typed as
text (« 08:00-12:00 14:00-18:00 », « 8h-12h30 »), checked in French before the `PUT …/profile`.

The hours are the professional's own (their profile's time zone, Europe/Paris by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from desktop.state.back_office.accounts import FormInvalid
from desktop.state.back_office.professionals import SettingsForm
from shared.schemas.professional import HOURS_PER_DAY_MAX, DaySchedule, ProfileOut

WEEKDAYS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
DAY_STATES = {
    "all_day": "Disponible toute la journée",
    "custom": "Horaires personnalisés",
    "off": "Indisponible toute la journée",
}
HOURS_EXAMPLE = "08:00-12:00 14:00-18:00"
_TIME = re.compile(r"^(\d{1,2})(?:[:hH](\d{2})?)?$")
_RANGE = re.compile(r"^(\S+?)\s*(?:-|–|—|\bà\b)\s*(\S+)$")
_BETWEEN_RANGES = re.compile(r"\s*[,;/]\s*|\s+(?=\d{1,2}(?:[:hH]\d{0,2})?\s*(?:-|–|—|à))")


def clock(text: str) -> str | None:
    """« 8 », « 8h », « 8h30 », « 08:30 » → « 08:30 »; « 24:00 » for midnight; None if not a time."""
    found = _TIME.match(text.strip())
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        return None
    return f"{hour:02d}:{minute:02d}"


def _clock_or_error(text: str) -> str:
    value = clock(text)
    if value is None:
        raise ValueError(f"heure invalide « {text} » (HH:MM attendu)")
    return value


def hours_text(day: DaySchedule) -> str:
    return " ".join(f"{h.start}-{h.end}" for h in day.hours)


@dataclass
class DayRow:
    """One weekday as the dialog holds it; `hours` is kept when another state is chosen (nothing
    typed is lost) but only sent with « Horaires personnalisés »."""

    weekday: int
    state: str = "all_day"
    hours: str = ""

    @property
    def name(self) -> str:
        return WEEKDAYS[self.weekday]

    def spans(self) -> list[tuple[str, str]]:
        """The custom hours, sorted; raises ValueError with the French reason."""
        text = self.hours.strip()
        if not text:
            raise ValueError(f"indiquez au moins une plage (ex. {HOURS_EXAMPLE})")
        spans: list[tuple[str, str]] = []
        for part in (p for p in _BETWEEN_RANGES.split(text) if p.strip()):
            found = _RANGE.match(part.strip())
            if found is None:
                raise ValueError(f"plage illisible « {part.strip()} » (HH:MM-HH:MM attendu)")
            start, end = _clock_or_error(found.group(1)), _clock_or_error(found.group(2))
            if start == "24:00" or start >= end:
                raise ValueError(f"la plage {start}-{end} doit finir après son début (24:00 pour minuit)")
            spans.append((start, end))
        spans.sort()
        if len(spans) > HOURS_PER_DAY_MAX:
            raise ValueError(f"{HOURS_PER_DAY_MAX} plages au plus")
        for earlier, later in pairwise(spans):
            if later[0] < earlier[1]:
                raise ValueError(
                    f"les plages {earlier[0]}-{earlier[1]} et {later[0]}-{later[1]} se chevauchent"
                )
        return spans

    def schedule(self) -> dict[str, object]:
        """The day of `notification_windows`; raises ValueError."""
        if self.state not in DAY_STATES:
            raise ValueError(f"état inconnu « {self.state} »")
        hours = [{"start": s, "end": e} for s, e in self.spans()] if self.state == "custom" else []
        return {"weekday": self.weekday, "state": self.state, "hours": hours}


@dataclass
class NotificationWeek:
    days: list[DayRow] = field(default_factory=lambda: [DayRow(w) for w in range(7)])

    @classmethod
    def of(cls, profile: ProfileOut) -> NotificationWeek:
        by_day = {d.weekday: d for d in profile.notification_windows}
        days = []
        for weekday in range(7):
            known = by_day.get(weekday) or DaySchedule(weekday=weekday)
            days.append(DayRow(weekday, known.state, hours_text(known)))
        return cls(days)

    def errors(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for day in self.days:
            try:
                day.schedule()
            except ValueError as wrong:
                found[f"Pref. Notifs, {day.name.lower()}"] = str(wrong)
        return found

    def schedules(self) -> list[dict[str, object]]:
        """`notification_windows` of `PUT …/profile`; raises FormInvalid (one line per day)."""
        errors = self.errors()
        if errors:
            raise FormInvalid(errors)
        return [day.schedule() for day in self.days]

    def changed(self, profile: ProfileOut) -> bool:
        """Whether the week differs from the profile's (once checked)."""
        before = [d.model_dump(mode="json") for d in NotificationWeek.of(profile).as_schedules()]
        return before != [DaySchedule.model_validate(s).model_dump(mode="json") for s in self.schedules()]

    def as_schedules(self) -> list[DaySchedule]:
        return [DaySchedule.model_validate(s) for s in self.schedules()]

    def summary(self) -> str:
        """« Mar 08:00-12:00 · Dim indisponible » — the days that are not « toute la journée »."""
        parts = []
        for day in self.days:
            if day.state == "off":
                parts.append(f"{day.name[:3]} indisponible")
            elif day.state == "custom":
                parts.append(f"{day.name[:3]} {' '.join(f'{s}-{e}' for s, e in day.spans())}")
        return " · ".join(parts) or "toute la journée, tous les jours"


def settings_body(form: SettingsForm, week: NotificationWeek, profile: ProfileOut) -> dict[str, object]:
    """The body of `PUT /admin/professionals/{id}/profile` for the whole dialog: only what differs;
    raises FormInvalid with every field's reason at once."""
    errors: dict[str, str] = {}
    body: dict[str, object] = {}
    try:
        body = form.body(profile)
    except FormInvalid as invalid:
        errors.update(invalid.errors)
    errors.update(week.errors())
    if errors:
        raise FormInvalid(errors)
    if week.changed(profile):
        body["notification_windows"] = week.schedules()
    return body
