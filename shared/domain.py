"""Domain vocabulary shared by the desktop and the server.

Codes are English (stable, stored, sent over the API); labels are the French words users read.
Professions use the national TRE_G15 nomenclature, specialties TRE_R38 (ANS, « Nomenclatures des
objets de santé »), as they appear in the RPPS extraction.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    SECRETARY = "secretary"
    SUPERVISOR = "supervisor"
    PROFESSIONAL = "professional"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.OPERATOR: "Opérateur de la centrale",
    Role.SECRETARY: "Secrétaire",
    Role.SUPERVISOR: "Superviseur",
    Role.PROFESSIONAL: "Professionnel de santé",
    Role.ADMIN: "Administrateur",
}


class CareMode(StrEnum):
    """« Type PeC » of a prescription."""

    VISIT = "visit"
    OFFICE = "office"
    VIDEO = "video"
    ADVICE = "advice"
    TELEMEDICINE = "telemedicine"
    TRANSPORT = "transport"

    @property
    def label(self) -> str:
        return _CARE_MODE_LABELS[self]


_CARE_MODE_LABELS = {
    CareMode.VISIT: "Visite",
    CareMode.OFFICE: "Consultation",
    CareMode.VIDEO: "Visio",
    CareMode.ADVICE: "Conseil",
    CareMode.TELEMEDICINE: "Télémédecine",
    CareMode.TRANSPORT: "Transport",
}


class PrescriptionState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    STARTED = "started"
    FINISHED = "finished"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in (PrescriptionState.FINISHED, PrescriptionState.EXPIRED, PrescriptionState.CANCELLED)


_STATE_LABELS = {
    PrescriptionState.PENDING: "En cours",
    PrescriptionState.ACCEPTED: "Accepté",
    PrescriptionState.STARTED: "Débuté",
    PrescriptionState.FINISHED: "Terminé",
    PrescriptionState.EXPIRED: "Annulé : aucun intervenant n'a accepté dans le délai",
    PrescriptionState.CANCELLED: "Annulé",
}


class IdentityStatus(StrEnum):
    """Identity status of the RNIV (référentiel national d'identitovigilance)."""

    PROVISIONAL = "provisional"
    RECOVERED = "recovered"
    VALIDATED = "validated"
    QUALIFIED = "qualified"

    @property
    def label(self) -> str:
        return _IDENTITY_LABELS[self]


_IDENTITY_LABELS = {
    IdentityStatus.PROVISIONAL: "Identité provisoire",
    IdentityStatus.RECOVERED: "Identité récupérée",
    IdentityStatus.VALIDATED: "Identité validée",
    IdentityStatus.QUALIFIED: "Identité qualifiée",
}


class Availability(StrEnum):
    """A responder's « Profil activité » status."""

    BOTH = "both"
    OFFICE = "office"
    VISIT = "visit"
    UNAVAILABLE = "unavailable"

    @property
    def label(self) -> str:
        return _AVAILABILITY_LABELS[self]


_AVAILABILITY_LABELS = {
    Availability.BOTH: "Disponible (C&V)",
    Availability.OFFICE: "Disponible Cabinet",
    Availability.VISIT: "Disponible Visite",
    Availability.UNAVAILABLE: "Indisponible",
}


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"

    @property
    def label(self) -> str:
        return {"F": "Féminin", "M": "Masculin", "U": "Indéterminé"}[self.value]


class InsuranceScheme(StrEnum):
    """« Régime » of the patient's health insurance."""

    GENERAL = "general"
    AGRICULTURAL = "agricultural"
    SPECIAL = "special"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "general": "Régime général",
            "agricultural": "Régime agricole (MSA)",
            "special": "Régime spécial",
            "other": "Autre régime",
        }[self.value]


# TRE_G15 « Profession de santé » (code → label), as in the RPPS extraction.
PROFESSIONS: dict[str, str] = {
    "10": "Médecin",
    "21": "Pharmacien",
    "26": "Audioprothésiste",
    "28": "Opticien-Lunetier",
    "31": "Assistant dentaire",
    "32": "Physicien médical",
    "40": "Chirurgien-dentiste",
    "50": "Sage-femme",
    "60": "Infirmier",
    "69": "Infirmier psychiatrique",
    "70": "Masseur-kinésithérapeute",
    "80": "Pédicure-podologue",
    "81": "Orthoprothésiste",
    "82": "Podo-orthésiste",
    "83": "Orthopédiste-orthésiste",
    "84": "Oculariste",
    "85": "Epithésiste",
    "86": "Technicien de laboratoire médical",
    "91": "Orthophoniste",
    "92": "Orthoptiste",
    "94": "Ergothérapeute",
    "95": "Diététicien",
    "96": "Psychomotricien",
}


def _sort_key(label: str) -> str:
    """« Pédicure » between « Orthoptiste » and « Pharmacien », as a French reader sorts."""
    return unicodedata.normalize("NFD", label).encode("ascii", "ignore").decode().casefold()


# « Intervenant » of a request, in the tutorial's words and order: the professions the hotline
# sends most first (« Infirmier(e) », « Kiné » as in its screens), then the others by name.
# Display labels only: the codes stay TRE_G15's, and `PROFESSIONS` keeps the directory's labels.
_INTERVENANT_FIRST: dict[str, str] = {
    "60": "Infirmier(e)",
    "70": "Kiné",
    "10": "Médecin",
    "21": "Pharmacien",
    "50": "Sage-femme",
}
INTERVENANTS: dict[str, str] = {
    **_INTERVENANT_FIRST,
    **dict(
        sorted(
            ((code, label) for code, label in PROFESSIONS.items() if code not in _INTERVENANT_FIRST),
            key=lambda item: _sort_key(item[1]),
        )
    ),
}

# TRE_R38 « Spécialité ordinale » (the part the hotline uses).
SPECIALTIES: dict[str, str] = {
    "SM03": "Biologie médicale",
    "SM04": "Cardiologie et maladies vasculaires",
    "SM15": "Dermatologie et vénéréologie",
    "SM16": "Endocrinologie et métabolisme",
    "SM19": "Gynécologie médicale",
    "SM20": "Gynécologie-obstétrique",
    "SM21": "Hématologie",
    "SM32": "Neurologie",
    "SM36": "Oncologie option médicale",
    "SM38": "Ophtalmologie",
    "SM39": "ORL",
    "SM40": "Pédiatrie",
    "SM41": "Pneumologie",
    "SM42": "Psychiatrie",
    "SM43": "Psychiatrie de l'enfant et de l'adolescent",
    "SM44": "Radio-diagnostic",
    "SM54": "Médecine générale",
    "SM57": "Allergologie",
}

# The five usual-professional slots of the wizard (« Professionnels habituels »).
USUAL_PROFESSIONAL_SLOTS: dict[str, str] = {
    "10": "Médecin traitant",
    "60": "Infirmier(e)",
    "70": "Kinésithérapeute",
    "21": "Pharmacien",
    "50": "Sage-femme",
}
