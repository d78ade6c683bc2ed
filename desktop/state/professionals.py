"""The « Professionnels » tab without Qt (issue 16): a professional phones the hotline; the operator
finds them, reads their status and open offers, records their answer by phone, sets their status.

Everything shown is worded here: the results' lines, the status, the offers with the time left,
the confirmations, the « Indisponible jusqu'à… » choice (a local time in the professional's zone,
Europe/Paris by default, 1 to 48 h from now as the seeds say), the French error messages, and
which change-feed events call for a new read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from desktop.state.times import PLATFORM_ZONE, day_time, in_zone, zone_named
from shared.schemas.feed import (
    FeedEvent,
    PrescriptionAccepted,
    PrescriptionChange,
    PrescriptionDeclined,
    PrescriptionPoolOpened,
    PrescriptionRenewed,
    PrescriptionSent,
)
from shared.schemas.hotline_professionals import OpenOffer, ProfessionalStatus, ProfessionalSummary

SEARCH_MIN_CHARS = 2
NEW_OFFERS = (PrescriptionSent, PrescriptionPoolOpened, PrescriptionRenewed)
PAUSE_MIN, PAUSE_MAX = timedelta(hours=1), timedelta(hours=48)
AVAILABLE_CHOICES = (
    ("both", "Disponible C&V"),
    ("office", "Disponible Cabinet"),
    ("visit", "Disponible Visite"),
)
ACCEPT_LABEL = "Accepter pour lui/elle (par téléphone)"
DECLINE_LABEL = "Décliner pour lui/elle"
PAUSE_LABEL = "Indisponible jusqu'à…"
UNREACHABLE = "Serveur central injoignable : rien n'a été enregistré, réessayez dans un instant"
_REFUSALS = {
    "state_accepted": "Trop tard : la demande a déjà été acceptée par un autre intervenant",
    "deadline_passed": "Trop tard : le délai de réponse de cette demande est dépassé",
    "state_expired": "Trop tard : cette demande a expiré sans acceptation",
    "state_cancelled": "Cette demande a été annulée entre-temps",
}


def search_hint(text: str) -> str | None:
    """Why a search is not sent yet (None: send it)."""
    if len(text.strip()) < SEARCH_MIN_CHARS:
        return f"Saisissez au moins {SEARCH_MIN_CHARS} caractères : nom, RPPS ou téléphone"
    return None


def result_line(found: ProfessionalSummary) -> str:
    """« D'ALMEIDA Jean-Marc — Infirmier — Évry (91000) — RPPS 1… — Disponible (C&V) »."""
    parts = [found.display_name, found.profession]
    if found.commune:
        parts.append(f"{found.commune} ({found.postal_code})" if found.postal_code else found.commune)
    parts.append(f"RPPS {found.rpps}")
    if found.phone:
        parts.append(found.phone)
    parts.append(found.availability_label if found.active else "compte désactivé")
    return " — ".join(parts)


def time_left(deadline: datetime, now: datetime) -> str:
    """« reste 1 h 05 », « reste 4 min », « délai dépassé »."""
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return "délai dépassé"
    minutes = (seconds + 59) // 60
    if minutes < 60:
        return f"reste {minutes} min"
    return f"reste {minutes // 60} h {minutes % 60:02d}"


def offer_line(offer: OpenOffer, now: datetime, zone: tzinfo = PLATFORM_ZONE) -> str:
    """« #22428699 Pansement (Visite) — DUPONT Marie, Évry — notifié le 08/08 14:11 — reste 42 min »."""
    where = f", {offer.commune}" if offer.commune else ""
    usual = " — professionnel habituel" if offer.usual else ""
    return (
        f"#{offer.case_number} {offer.care_type} ({offer.care_mode_label}) — {offer.patient_name}{where}"
        f"{usual} — notifié le {day_time(offer.notified_at, zone)} — {time_left(offer.deadline_at, now)}"
    )


def status_lines(status: ProfessionalStatus) -> list[str]:
    """The details pane's lines: who, status, reach."""
    who = status.professional
    lines = [f"{who.display_name} — {who.profession} — RPPS {who.rpps}"]
    if who.phone:
        lines.append(f"Téléphone : {who.phone}")
    statut = who.availability_label
    if status.resumes_as is not None:
        statut += f" (puis {dict(AVAILABLE_CHOICES).get(status.resumes_as.value, status.resumes_as.label)})"
    lines.append(f"Statut : {statut}")
    radius = f"{status.radius_km:g}".replace(".", ",")
    communes = ", ".join(c.name or c.insee_code for c in status.served_communes)
    reach = f"Rayon : {radius} km"
    if communes:
        reach += f" — communes desservies : {communes}"
    lines.append(reach)
    if not who.active:
        lines.append("Compte désactivé : il ne reçoit plus de demandes")
    return lines


def care_lines(status: ProfessionalStatus) -> list[str]:
    return [f"#{c.case_number} {c.care_type} — {c.patient_name} — {c.state_label}" for c in status.in_care]


def confirm_answer(who: str, offer: OpenOffer, *, accept: bool) -> str:
    verb = "Accepter" if accept else "Décliner"
    return (
        f"{verb} pour {who}, par téléphone, la demande #{offer.case_number} ({offer.care_type}, "
        f"{offer.patient_name}) ?\nCe sera enregistré « par téléphone via la centrale » à votre nom."
    )


def confirm_status(who: str, label: str) -> str:
    return f"Passer {who} en « {label} » ?\nCe sera enregistré « par téléphone via la centrale » à votre nom."


def done_answer(who: str, offer: OpenOffer, *, accept: bool) -> str:
    if accept:
        return f"Demande #{offer.case_number} acceptée pour {who} (par téléphone) : les autres sont prévenus"
    return f"Demande #{offer.case_number} déclinée pour {who} (par téléphone)"


def refusal_text(code: str, detail: str) -> str:
    """The message for a refused answer: the server's detail when it names who was first."""
    if code == "state_accepted" and "acceptée par" in detail:
        return detail
    return _REFUSALS.get(code, detail)


@dataclass(frozen=True)
class PauseChoice:
    """« Indisponible jusqu'à… »: a day and a time in the professional's zone."""

    day: date
    at: time
    zone: tzinfo = PLATFORM_ZONE

    def until(self) -> datetime:
        return datetime.combine(self.day, self.at, tzinfo=self.zone)

    def problem(self, now: datetime) -> str | None:
        """Why the server would refuse it (None: fine), said before sending."""
        left = self.until() - now
        if left < PAUSE_MIN:
            return "Indisponible jusqu'à : au moins 1 h à partir de maintenant"
        if left > PAUSE_MAX:
            return "Indisponible jusqu'à : au plus 48 h à partir de maintenant"
        return None

    def label(self) -> str:
        return f"Indisponible jusqu'au {self.day.day:02d}/{self.day.month:02d} à {clock(self.at)}"


def clock(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def default_pause(now: datetime, zone: tzinfo = PLATFORM_ZONE) -> PauseChoice:
    """Two hours from now, on the quarter hour, as the picker opens."""
    local = in_zone(now + timedelta(hours=2), zone)
    rounded = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
    return PauseChoice(rounded.date(), rounded.time(), zone)


def pause_days(now: datetime, zone: tzinfo = PLATFORM_ZONE) -> list[tuple[date, str]]:
    """The days a pause of at most 48 h may end on: « Aujourd'hui 29/03 », « Demain 30/03 », …"""
    first = in_zone(now, zone).date()
    names = ("Aujourd'hui", "Demain", "Après-demain")
    days = [first + timedelta(days=n) for n in range(3)]
    return [(d, f"{name} {d.day:02d}/{d.month:02d}") for name, d in zip(names, days, strict=True)]


def parse_pause(day: date, text: str, zone: tzinfo = PLATFORM_ZONE) -> PauseChoice | str:
    """The day chosen and the time typed (« 14:30 », « 14h30 », « 14 »), or a French message."""
    cleaned = text.strip().lower().replace("h", ":").replace(" ", "")
    hours, _, minutes = cleaned.partition(":")
    if not hours.isdigit() or (minutes and not minutes.isdigit()):
        return "Heure de fin : saisissez-la comme 14:30"
    hour, minute = int(hours), int(minutes or 0)
    if hour > 23 or minute > 59:
        return "Heure de fin : saisissez-la comme 14:30"
    return PauseChoice(day, time(hour, minute), zone)


def zone_of(status: ProfessionalStatus | None) -> tzinfo:
    return zone_named(status.timezone if status else None)


@dataclass
class ProfessionalsState:
    """What the tab shows: the results, the chosen professional's status."""

    results: list[ProfessionalSummary] = field(default_factory=list)
    status: ProfessionalStatus | None = None

    @property
    def chosen_id(self) -> int | None:
        return self.status.professional.user_id if self.status else None

    def offer(self, prescription_id: int) -> OpenOffer | None:
        if self.status is None:
            return None
        return next((o for o in self.status.open_offers if o.prescription_id == prescription_id), None)

    def refreshes(self, event: FeedEvent) -> bool:
        """An event about one of the shown offers or patients in care, an answer of the shown
        professional, or a request sent (it may be offered to them; events never say to whom):
        the details are read again (taken by someone else, expired, cancelled, a new offer…)."""
        if self.status is None or not isinstance(event.payload, PrescriptionChange):
            return False
        shown = {o.prescription_id for o in self.status.open_offers}
        shown |= {c.prescription_id for c in self.status.in_care}
        if event.prescription_id in shown or isinstance(event.payload, NEW_OFFERS):
            return True
        me = self.status.professional.user_id
        match event.payload:
            case PrescriptionAccepted(accepted_by=who) if who == me:
                return True
            case PrescriptionDeclined(user_id=who) if who == me:
                return True
        return False
