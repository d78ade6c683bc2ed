"""« Journal d'audit »: the filters as typed (utilisateur, patient, action, période in Europe/Paris
days), checked with French messages before anything is asked of the server; the rows as shown
(Paris time, French action names); the pages read so far, newest first."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from desktop.state import times
from shared.schemas.system import AuditEntryOut

# The actions a filter offers (the combo box also takes any other code typed).
ACTION_LABELS: dict[str, str] = {
    "forbidden": "Accès refusé",
    "login_failed": "Connexion échouée",
    "patient_search": "Recherche de patient",
    "patient_search_result": "Patient affiché dans une recherche",
    "patient_read": "Lecture d'un dossier patient",
    "patient_create": "Création d'un patient",
    "patient_update": "Modification d'un patient",
    "patient_timeline": "Lecture de l'historique d'un patient",
    "case_create": "Déclenchement",
    "prescription_board": "Tableau de bord",
    "prescription_accept": "Acceptation d'une demande",
    "prescription_cancel": "Annulation d'une demande",
    "stats_export": "Export des statistiques",
    "profile_update": "Profil Activité modifié",
    "admin_user_create": "Utilisateur créé",
    "admin_user_update": "Utilisateur modifié",
    "admin_user_password": "Nouveau mot de passe défini",
    "admin_user_password_reset": "Mot de passe réinitialisé (lien envoyé à l'utilisateur)",
    "admin_user_practice": "Professionnels de la secrétaire modifiés",
    "admin_user_deactivate": "Utilisateur désactivé",
    "admin_user_reactivate": "Utilisateur réactivé",
    "admin_professional_create": "Professionnel créé",
    "admin_professional_update": "Professionnel modifié",
    "admin_professional_profile": "Profil Activité modifié par l'équipe",
    "admin_professional_deactivate": "Professionnel désactivé",
    "admin_professional_reactivate": "Professionnel réactivé",
    "admin_network_create": "Réseau créé",
    "admin_network_rename": "Réseau renommé",
    "admin_audit_read": "Lecture du journal d'audit",
    "admin_audit_export": "Export du journal d'audit",
    "registration_list": "Liste des inscriptions",
    "registration_read": "Lecture d'une inscription",
    "registration_document_read": "Pièce justificative consultée",
    "registration_approve": "Inscription validée",
    "registration_reject": "Inscription refusée",
    "login_unblock": "Compte débloqué",
    "delivery_log": "Lecture du journal des notifications",
}
COLUMNS = ("Date et heure", "Utilisateur", "Rôle", "Action", "Patient", "Statut", "Requête", "Détail")
ACTION_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._=-]{0,63}$")
DATE_FORMS = ("%d/%m/%Y", "%Y-%m-%d")


class FilterInvalid(ValueError):
    """A filter typed wrong: `field` is its label, the message is French."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} : {message}")
        self.field = field


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def action_code(typed: str) -> str:
    """What the action box holds: a French label from the list, or a code typed as it is."""
    text = typed.strip()
    for code, label in ACTION_LABELS.items():
        if text.casefold() in (label.casefold(), code):
            return code
    return text


def parse_day(text: str, field: str) -> date | None:
    """« 05/03/2025 » or « 2025-03-05 »; empty is no bound."""
    text = text.strip()
    if not text:
        return None
    for form in DATE_FORMS:
        try:
            return datetime.strptime(text, form).date()  # a calendar day: no zone involved
        except ValueError:
            continue
    raise FilterInvalid(field, f"date invalide « {text} » (JJ/MM/AAAA attendu)")


@dataclass
class AuditFilterForm:
    """The four filters as typed. `user`: a username or a user number; `patient`: a patient number."""

    user: str = ""
    patient: str = ""
    action: str = ""
    since: str = ""
    until: str = ""

    def params(self) -> dict[str, str | int]:
        """The query of `GET /admin/audit` (and of its CSV); raises FilterInvalid."""
        params: dict[str, str | int] = {}
        user = self.user.strip()
        if user.isdigit():
            params["user_id"] = int(user)
        elif user:
            if not USERNAME.match(user.lower()):
                raise FilterInvalid("Utilisateur", f"identifiant invalide « {user} »")
            params["username"] = user.lower()
        patient = self.patient.strip().lstrip("n°").strip()
        if patient:
            if not patient.isdigit() or int(patient) < 1:
                raise FilterInvalid("Patient", f"numéro de patient invalide « {self.patient.strip()} »")
            params["patient_id"] = int(patient)
        action = action_code(self.action)
        if action:
            if not ACTION_CODE.match(action):
                raise FilterInvalid("Action", f"action inconnue « {self.action.strip()} »")
            params["action"] = action
        since, until = parse_day(self.since, "Du"), parse_day(self.until, "Au")
        if since and until and until < since:
            raise FilterInvalid("Période", "la fin de la période doit suivre son début")
        if since:
            params["since"] = since.isoformat()
        if until:
            params["until"] = until.isoformat()
        return params

    def csv_name(self, now: datetime) -> str:
        """The file name the save dialog proposes (the server's own naming)."""
        since, until = parse_day(self.since, "Du"), parse_day(self.until, "Au")
        first = since.isoformat() if since else "debut"
        last = (until or times.today(now=now)).isoformat()
        return f"journal-audit-{first}-{last}.csv"


@dataclass(frozen=True)
class AuditRow:
    entry_id: int
    cells: tuple[str, ...]

    @classmethod
    def of(cls, entry: AuditEntryOut) -> AuditRow:
        who = entry.username or "—"
        if entry.user_id is not None:
            who = f"{who} (n° {entry.user_id})"
        detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""
        return cls(
            entry.id,
            (
                f"{times.in_zone(entry.at):%d/%m/%Y} {times.clock_time(entry.at)}",
                who,
                entry.role or "",
                action_label(entry.action),
                str(entry.patient_id) if entry.patient_id is not None else "",
                str(entry.status),
                f"{entry.method} {entry.path}",
                detail,
            ),
        )


@dataclass
class AuditLog:
    """The pages read for one set of filters, newest first."""

    params: dict[str, str | int] = field(default_factory=dict)
    rows: list[AuditRow] = field(default_factory=list)
    complete: bool = False

    def reset(self, params: dict[str, str | int]) -> None:
        self.params, self.rows, self.complete = params, [], False

    def next_before(self) -> int | None:
        return self.rows[-1].entry_id if self.rows else None

    def add_page(self, entries: list[AuditEntryOut], page_size: int) -> list[AuditRow]:
        added = [AuditRow.of(e) for e in entries]
        self.rows += added
        self.complete = len(entries) < page_size
        return added

    def summary(self) -> str:
        count = len(self.rows)
        if count == 0:
            return "Aucune entrée pour ces filtres"
        more = "" if self.complete else " — d'autres plus anciennes : « Suite »"
        return f"{count} entrée(s) affichée(s), les plus récentes d'abord{more}"
