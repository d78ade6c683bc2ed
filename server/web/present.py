"""How the pages word a prescription: intervention date or delay (in the case's own zone), the
patient's sex, the state as a professional reads it, the requester."""

from __future__ import annotations

from server.web.times import when
from shared.domain import PrescriptionState, Sex
from shared.schemas.dispatch import PrescriptionView

PARIS = "Europe/Paris"
_ZONE_NAMES = {
    "America/Martinique": "heure de Martinique",
    "America/Guadeloupe": "heure de Guadeloupe",
    "America/Cayenne": "heure de Guyane",
    "Indian/Reunion": "heure de La Réunion",
    "Indian/Mayotte": "heure de Mayotte",
    "America/Miquelon": "heure de Saint-Pierre-et-Miquelon",
    "Pacific/Noumea": "heure de Nouméa",
    "Pacific/Tahiti": "heure de Tahiti",
}


def zone_of(p: PrescriptionView) -> str:
    return p.intervention_tz or PARIS


def intervention(p: PrescriptionView) -> str:
    """« le 05/12/2026 à 09:00 » (with the zone when not Paris), « dans 2 h », « dès que possible »."""
    if p.intervention_at is not None:
        zone = zone_of(p)
        suffix = f" ({_ZONE_NAMES.get(zone, zone)})" if zone != PARIS else ""
        return f"le {when(p.intervention_at, zone)}{suffix}"
    minutes = p.intervention_delay_minutes or 0
    if minutes == 0:
        return "dès que possible"
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"dans {days} jour{'s' if days > 1 else ''}"
    if minutes >= 60:
        hours, rest = divmod(minutes, 60)
        return f"dans {hours} h" + (f" {rest:02d}" if rest else "")
    return f"dans {minutes} min"


def sex_label(value: str) -> str:
    return {Sex.FEMALE: "femme", Sex.MALE: "homme"}.get(Sex(value), "sexe non précisé")


def series(p: PrescriptionView) -> str:
    """« 7 jours × 2 passages/j »."""
    days = f"{p.days} jour{'s' if p.days > 1 else ''}"
    return f"{days} × {p.visits_per_day} passage{'s' if p.visits_per_day > 1 else ''}/j"


def requester(p: PrescriptionView) -> str:
    name = p.requester.get("name") or "Demandeur non renseigné"
    profession = p.requester.get("profession")
    return f"{name} ({profession})" if profession else str(name)


def state_text(p: PrescriptionView) -> str:
    """The states of « Mes Déclenchements » (seeds 000)."""
    state = p.state
    who = p.accepted_by.name if p.accepted_by else ""
    if state == PrescriptionState.PENDING and p.notified_count == 0:
        return "Aucune ressource disponible"
    if state == PrescriptionState.ACCEPTED:
        phoned = f" ({p.accepted_on_behalf.label})" if p.accepted_on_behalf else ""
        return f"Déclenchement accepté par {who}{phoned}"
    if state == PrescriptionState.STARTED:
        return f"Déclenchement débuté par {who}"
    if state == PrescriptionState.FINISHED:
        return f"Terminé par {who}"
    if state == PrescriptionState.EXPIRED:
        return "Annulé : aucun intervenant n'a accepté la demande dans le délai imparti"
    return (
        state.label
        if state != PrescriptionState.CANCELLED
        else f"Annulé : {p.cancel_reason or ''}".rstrip(" :")
    )


def patient_name(p: PrescriptionView) -> str:
    if p.patient is None:
        return f"Patient{'e' if p.area.sex == 'F' else ''} de {p.area.age} ans"
    return f"{p.patient.last_name.upper()} {p.patient.first_name}"


FILTERS = {
    "intervention": intervention,
    "sex_label": sex_label,
    "series": series,
    "requester": requester,
    "state_text": state_text,
    "patient_name": patient_name,
}
