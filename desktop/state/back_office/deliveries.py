"""« Journal des notifications »: the filters as typed (professionnel, canal, statut, motif, période
in Europe/Paris days), checked in French; the rows as shown (Paris time, French channel and purpose,
the recipient masked as the server gives it, status, attempts, last error or the reason not sent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from desktop.state import times
from desktop.state.back_office.audit import FilterInvalid, parse_day
from shared.schemas.notify import DeliveryView

COLUMNS = ("Date et heure", "Canal", "Motif", "Professionnel", "Destinataire", "Statut", "Essais", "Raison")
CHANNELS = {
    "": "Tous",
    "push": "Notification (Web Push)",
    "sms": "SMS",
    "email": "E-mail",
    "mssante": "MSSanté",
}
STATUSES = {
    "": "Tous",
    "queued": "En attente d'envoi",
    "sent": "Envoyé",
    "failed": "Échec, nouvel essai prévu",
    "abandoned": "Abandonné",
    "suppressed": "Non envoyé",
}
PURPOSES = {
    "": "Tous",
    "offer": "Nouvelle demande",
    "offer_taken": "Demande prise par un confrère",
    "request_accepted": "Ma demande acceptée",
    "request_expired": "Ma demande expirée",
    "patient_comment": "Commentaire sur mon patient",
    "message": "Message",
    "doctor_informed": "Médecin traitant informé",
    "registration_phone_code": "Code SMS d'inscription",
    "registration_email_link": "Lien de confirmation d'inscription",
    "registration_duplicate": "Inscription en double signalée",
    "registration_approved": "Inscription validée",
    "registration_rejected": "Inscription refusée",
    "password_reset_code": "Code de réinitialisation du mot de passe",
    "password_reset_link": "Lien de réinitialisation du mot de passe",
}


def purpose_label(code: str) -> str:
    return PURPOSES.get(code, code)


@dataclass
class DeliveryFilterForm:
    """`professional`: a user number (the « Professionnels » view shows it), empty for everyone."""

    professional: str = ""
    channel: str = ""
    status: str = ""
    purpose: str = ""
    since: str = ""
    until: str = ""

    def params(self) -> dict[str, str | int]:
        """The query of `GET /admin/deliveries`; raises FilterInvalid."""
        params: dict[str, str | int] = {}
        who = self.professional.strip().removeprefix("n°").strip()
        if who:
            if not who.isdigit() or int(who) < 1:
                raise FilterInvalid(
                    "Professionnel", f"numéro d'utilisateur invalide « {self.professional.strip()} »"
                )
            params["user_id"] = int(who)
        for key, value, known in (
            ("channel", self.channel, CHANNELS),
            ("status", self.status, STATUSES),
            ("purpose", self.purpose, PURPOSES),
        ):
            if value:
                if value not in known:
                    raise FilterInvalid(key, f"valeur inconnue « {value} »")
                params[key] = value
        since, until = parse_day(self.since, "Du"), parse_day(self.until, "Au")
        if since and until and until < since:
            raise FilterInvalid("Période", "la fin de la période doit suivre son début")
        zone = times.PLATFORM_ZONE
        if since:
            params["since"] = datetime.combine(since, time(0), zone).isoformat()
        if until:
            params["until"] = datetime.combine(until + timedelta(days=1), time(0), zone).isoformat()
        return params


@dataclass(frozen=True)
class DeliveryRow:
    delivery_id: int
    cells: tuple[str, ...]

    @classmethod
    def of(cls, d: DeliveryView) -> DeliveryRow:
        reason = d.reason or d.last_error or ""
        return cls(
            d.id,
            (
                times.date_time(d.created_at),
                CHANNELS.get(d.channel, d.channel),
                purpose_label(d.purpose),
                d.user_name or "—",
                d.recipient,
                d.status_label,
                str(d.attempts),
                reason,
            ),
        )


@dataclass
class DeliveryLog:
    """The pages read for one set of filters, newest first; `next_before` names the next page."""

    params: dict[str, str | int] = field(default_factory=dict)
    rows: list[DeliveryRow] = field(default_factory=list)
    next_before: int | None = None

    def reset(self, params: dict[str, str | int]) -> None:
        self.params, self.rows, self.next_before = params, [], None

    def add_page(self, items: list[DeliveryView], next_before: int | None) -> list[DeliveryRow]:
        added = [DeliveryRow.of(d) for d in items]
        self.rows += added
        self.next_before = next_before
        return added

    def summary(self) -> str:
        if not self.rows:
            return "Aucun envoi pour ces filtres"
        more = " — d'autres plus anciens : « Suite »" if self.next_before is not None else ""
        return f"{len(self.rows)} envoi(s) affiché(s), les plus récents d'abord{more}"
