"""« Inscriptions à valider »: the status filter, the rows as shown (the directory check's flags in
short French words), the form's content for the reviewer, the pièce justificative's kind and file
name, the network choice on « Valider » and the refusal's reason, checked before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop.state import times
from desktop.state.back_office.accounts import FormInvalid
from shared.schemas.back_office import NetworkSummary
from shared.schemas.registrations import REASON_MAX, RegistrationOut

STATUS_CHOICES: dict[str, str | None] = {
    "À valider": "to_review",
    "En attente des vérifications (SMS et e-mail)": "unverified",
    "Validées": "approved",
    "Refusées": "rejected",
    "Toutes": None,
}
COLUMNS = ("Reçue le", "Nom", "Prénom", "Identifiant", "Profession", "Commune", "Réseau", "À vérifier")
FLAG_WORDS = {
    "directory_unavailable": "annuaire non importé",
    "directory_mismatch": "nom/profession différents",
    "identifier_has_account": "doublon (identifiant)",
    "email_has_account": "doublon (e-mail)",
    "phone_has_account": "doublon (téléphone)",
    "identifier_pending": "doublon (inscription en cours)",
    "network_new": "réseau nouveau",
}
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
PDF_TYPE = "application/pdf"
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", PDF_TYPE: "pdf"}


def flag_word(code: str, identifier_kind: str) -> str:
    """« RPPS inconnu » / « ADELI inconnu », « doublon (…) », « réseau nouveau »… (unknown codes as is)."""
    if code == "directory_unknown":
        return f"{identifier_kind.upper()} inconnu"
    return FLAG_WORDS.get(code, code)


def flags_shown(registration: RegistrationOut) -> str:
    words = [flag_word(f.code, registration.identifier_kind) for f in registration.flags]
    return ", ".join(words) if words else "—"


def network_shown(registration: RegistrationOut) -> str:
    name = registration.network_name or ""
    if registration.network_id is None and name:
        return f"{name} (nouveau)"
    return name or "—"


def commune_shown(registration: RegistrationOut) -> str:
    postal = f" ({registration.postal_code})" if registration.postal_code else ""
    return f"{registration.commune_name}{postal}"


@dataclass(frozen=True)
class RegistrationRow:
    registration: RegistrationOut
    cells: tuple[str, ...]

    @classmethod
    def of(cls, registration: RegistrationOut) -> RegistrationRow:
        at = registration.created_at
        cells = (
            times.date_time(at),
            registration.last_name,
            registration.first_name,
            f"{registration.identifier_kind.upper()} {registration.identifier}",
            registration.profession,
            commune_shown(registration),
            network_shown(registration),
            flags_shown(registration),
        )
        return cls(registration, cells)


def _when(at: datetime | None) -> str:
    if at is None:
        return "non"
    return "oui, le " + times.date_time(at).replace(" ", " à ", 1)


def detail_lines(registration: RegistrationOut) -> list[str]:
    """The form as the applicant filled it, what the directory holds, what to look at (French)."""
    r = registration
    lines = [
        f"Statut : {r.status_label}",
        f"Identifiant : {r.identifier_kind.upper()} {r.identifier}",
        f"Nom : {r.last_name}",
        f"Prénom : {r.first_name}",
        f"Profession : {r.profession} ({r.profession_code})",
        f"Adresse d'exercice : {r.address_line}, {commune_shown(r)}",
        f"Téléphone mobile : {r.phone} — vérifié : {_when(r.phone_verified_at)}",
        f"E-mail : {r.email} — vérifié : {_when(r.email_verified_at)}",
        f"Réseau d'appartenance : {network_shown(r)}",
    ]
    if r.directory is not None:
        d = r.directory
        found = " ".join(p for p in (d.last_name, d.first_name or "") if p)
        profession = d.profession or d.profession_code or "profession non précisée"
        lines.append(f"Annuaire national : {found}, {profession}, {d.commune or 'commune non précisée'}")
    else:
        lines.append("Annuaire national : aucune fiche trouvée")
    if r.flags:
        lines.append("À vérifier :")
        lines += [f"  • {flag_word(f.code, r.identifier_kind)} — {f.message}" for f in r.flags]
    else:
        lines.append("À vérifier : rien de signalé")
    if r.document_content_type is None:
        lines.append("Pièce justificative : non reçue")
    else:
        size = f"{(r.document_size or 0) / 1024:.0f} Kio"
        lines.append(f"Pièce justificative : {document_kind_label(r.document_content_type)} ({size})")
    if r.status == "rejected" and r.reject_reason:
        lines.append(f"Motif du refus : {r.reject_reason}")
    if r.status == "approved" and r.username:
        lines.append(f"Compte créé : {r.username}")
    return lines


def document_kind_label(content_type: str) -> str:
    if content_type == PDF_TYPE:
        return "PDF"
    if content_type in IMAGE_TYPES:
        return "image " + EXTENSIONS[content_type].upper()
    return content_type


def document_file_name(registration: RegistrationOut, content_type: str) -> str:
    """The name the document is saved under when it cannot be shown in the window."""
    extension = EXTENSIONS.get(content_type.split(";")[0].strip(), "bin")
    return f"piece-justificative-inscription-{registration.id}.{extension}"


# ---- « Valider »: the network -----------------------------------------------------------------
NO_NETWORK = "none"
CREATE_NETWORK = "create"


@dataclass(frozen=True)
class NetworkChoice:
    label: str
    value: int | str  # a network id, CREATE_NETWORK or NO_NETWORK


def needs_network_choice(registration: RegistrationOut) -> bool:
    """A network name typed that matches none: the reviewer picks one, creates it, or leaves none."""
    return registration.network_id is None and bool(registration.network_name)


def network_choices(registration: RegistrationOut, networks: list[NetworkSummary]) -> list[NetworkChoice]:
    choices = []
    if registration.network_name:
        choices.append(NetworkChoice(f"Créer le réseau « {registration.network_name} »", CREATE_NETWORK))
    choices += [
        NetworkChoice(f"Rattacher à « {n.name} »", n.id)
        for n in sorted(networks, key=lambda n: n.name.casefold())
    ]
    choices.append(NetworkChoice("Aucun réseau", NO_NETWORK))
    return choices


def approval_body(registration: RegistrationOut, choice: int | str | None) -> dict[str, object]:
    """The body of `POST …/approve`; raises FormInvalid when a network must be chosen and is not."""
    if not needs_network_choice(registration):
        return {}
    if choice is None:
        raise FormInvalid({"Réseau": "choisissez un réseau existant, créez-le ou « Aucun réseau »"})
    if choice == CREATE_NETWORK:
        return {"create_network": True}
    if choice == NO_NETWORK:
        return {}
    return {"network_id": int(choice)}


def rejection_reason(typed: str) -> str:
    """The reason as it will be sent (the applicant reads it); raises FormInvalid."""
    reason = typed.strip()
    if not reason:
        raise FormInvalid({"Motif": "obligatoire : l'intéressé le recevra par SMS et par e-mail"})
    if len(reason) > REASON_MAX:
        raise FormInvalid({"Motif": f"{REASON_MAX} caractères au plus"})
    return reason


def reviewable(registration: RegistrationOut) -> str | None:
    """Why « Valider » / « Refuser » cannot apply now (French), or None."""
    if registration.status == "to_review":
        return None
    if registration.status == "unverified":
        return "Cette inscription attend encore la vérification du téléphone et de l'e-mail"
    return f"Cette inscription est déjà traitée ({registration.status_label.lower()})"
