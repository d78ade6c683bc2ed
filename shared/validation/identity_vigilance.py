"""Identity vigilance (RNIV): which identity status the evidence supports, and the strict traits.

Sources for the rules below (each rule's comment says which one applies):

[RNIV1]   Référentiel national d'identitovigilance, volet 1 « Principes d'identification des usagers
          communs à tous les acteurs de santé » (ANS / ministère de la santé, version fusionnée des
          volets 0 et 1 applicable depuis janvier 2024): the four confidence statuses — « Identité
          provisoire » (no high-trust document checked, INS not recovered), « Identité récupérée »
          (INS recovered from the INSi teleservice, no document checked), « Identité validée » (a
          high-trust document checked, INS not recovered), « Identité qualifiée » (both: the INSi
          traits checked against the document); the strict traits: nom de naissance, premier prénom
          de naissance, date de naissance, sexe, lieu de naissance (code officiel géographique INSEE
          of the commune, or of the country for a birth abroad).
[IDNA]    Cellule régionale d'identitovigilance Nouvelle-Aquitaine, « Dispositifs d'identification »
          (https://www.identito-na.fr/dispositif-identification): the high-trust devices that allow
          « Identité validée » or « Identité qualifiée » are the passport, the national identity card
          (EU/EEA/Swiss and a few others) and the residence permit (titre de séjour); the Carte Vitale
          is not among them (it carries no photograph check of the holder's identity).
[ARA]     ARS Auvergne-Rhône-Alpes, « Modifications des référentiels nationaux en identitovigilance en
          2024 » (https://sante-ara.fr/modifications-des-referentiels-nationaux-en-identitovigilance-
          en-2024-pour-le-medico-social), on RNIV volet 1 § 3.3.3: a minor without an identity document
          of their own is validated from their birth certificate extract or the family record book,
          together with a high-trust device of one of the parents (or of the guardian).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, Final

from shared.domain import IdentityStatus
from shared.validation.errors import ValidationFailure


class IdentityDocument(StrEnum):
    """The identity documents an operator may record as checked."""

    # [IDNA]: the three high-trust devices.
    IDENTITY_CARD = "identity_card"
    PASSPORT = "passport"
    RESIDENCE_PERMIT = "residence_permit"
    # [ARA]: for a minor only, with a parent's high-trust device.
    FAMILY_RECORD_BOOK = "family_record_book"
    BIRTH_CERTIFICATE = "birth_certificate"

    @property
    def label(self) -> str:
        return _DOCUMENT_LABELS[self]


_DOCUMENT_LABELS: Final = {
    IdentityDocument.IDENTITY_CARD: "Carte nationale d'identité",
    IdentityDocument.PASSPORT: "Passeport",
    IdentityDocument.RESIDENCE_PERMIT: "Titre de séjour",
    IdentityDocument.FAMILY_RECORD_BOOK: "Livret de famille (mineur)",
    IdentityDocument.BIRTH_CERTIFICATE: "Extrait d'acte de naissance (mineur)",
}
HIGH_TRUST_DOCUMENTS: Final = frozenset(
    {IdentityDocument.IDENTITY_CARD, IdentityDocument.PASSPORT, IdentityDocument.RESIDENCE_PERMIT}
)
MINOR_FAMILY_DOCUMENTS: Final = frozenset(
    {IdentityDocument.FAMILY_RECORD_BOOK, IdentityDocument.BIRTH_CERTIFICATE}
)
ADULT_AGE: Final = 18

# [RNIV1]: the order of confidence, and the evidence each status needs.
_RANK: Final = {
    IdentityStatus.PROVISIONAL: 0,
    IdentityStatus.RECOVERED: 1,
    IdentityStatus.VALIDATED: 1,
    IdentityStatus.QUALIFIED: 2,
}
NEEDS_DOCUMENT: Final = frozenset({IdentityStatus.VALIDATED, IdentityStatus.QUALIFIED})
NEEDS_INSI: Final = frozenset({IdentityStatus.RECOVERED, IdentityStatus.QUALIFIED})
# [RNIV1]: the strict traits, required from « validée » (document) or given by INSi (« récupérée »).
STRICT_TRAITS: Final = ("birth_last_name", "birth_first_names", "birth_date", "sex", "birth_place_insee")
STRICT_TRAIT_LABELS: Final = {
    "birth_last_name": "Nom de naissance",
    "birth_first_names": "Premier prénom de naissance",
    "birth_date": "Date de naissance",
    "sex": "Sexe",
    "birth_place_insee": "Lieu de naissance (code INSEE)",
}
MISSING_DOCUMENT: Final = "une pièce d'identité à haut niveau de confiance vérifiée"
MISSING_INSI: Final = "l'INS récupérée par le téléservice INSi"
INSI_UNAVAILABLE: Final = "L'INS ne peut pas être récupéré depuis ce poste"


def supported_statuses(*, document_checked: bool, insi_recovered: bool) -> list[IdentityStatus]:
    """[RNIV1] Every status the evidence supports, lowest first (« provisoire » always)."""
    return [
        status
        for status in IdentityStatus
        if (document_checked or status not in NEEDS_DOCUMENT) and (insi_recovered or status not in NEEDS_INSI)
    ]


def highest_supported(*, document_checked: bool, insi_recovered: bool) -> IdentityStatus:
    offered = supported_statuses(document_checked=document_checked, insi_recovered=insi_recovered)
    return max(offered, key=lambda status: (_RANK[status], status in NEEDS_DOCUMENT))


def missing_evidence(status: IdentityStatus, *, document_checked: bool, insi_recovered: bool) -> list[str]:
    """What is missing for `status`, in French, empty when the evidence supports it."""
    missing = []
    if status in NEEDS_DOCUMENT and not document_checked:
        missing.append(MISSING_DOCUMENT)
    if status in NEEDS_INSI and not insi_recovered:
        missing.append(MISSING_INSI)
    return missing


def check_status_evidence(status: IdentityStatus, *, document_checked: bool, insi_recovered: bool) -> None:
    """[RNIV1] A status above what the evidence supports is refused, naming what is missing."""
    missing = missing_evidence(status, document_checked=document_checked, insi_recovered=insi_recovered)
    if missing:
        raise ValidationFailure(
            "identity_evidence_missing", f"{status.label} : il manque {' et '.join(missing)}"
        )


def missing_strict_traits(values: Mapping[str, Any]) -> list[str]:
    """[RNIV1] The strict traits not filled in (an unknown sex « U » is not a trait), as labels."""
    missing = [STRICT_TRAIT_LABELS[name] for name in STRICT_TRAITS if not values.get(name)]
    if values.get("sex") == "U":
        missing.append(STRICT_TRAIT_LABELS["sex"])
    return missing


def is_minor(birth_date: date, today: date) -> bool:
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    return age < ADULT_AGE


def check_document(
    document: IdentityDocument,
    parent_document: IdentityDocument | None,
    parent_name: str | None,
    birth_date: date | None,
    today: date,
) -> None:
    """[IDNA] [ARA] A high-trust document for anyone; the family record book or the birth certificate
    only for a minor, with the parent's identity checked on a high-trust document of their own."""
    if document in HIGH_TRUST_DOCUMENTS:
        return
    if birth_date is None or not is_minor(birth_date, today):
        raise ValidationFailure(
            "identity_document_minor_only",
            f"{document.label} : accepté seulement pour un mineur (sinon carte d'identité, passeport "
            "ou titre de séjour)",
        )
    if parent_document not in HIGH_TRUST_DOCUMENTS or not (parent_name or "").strip():
        raise ValidationFailure(
            "identity_document_parent_missing",
            f"{document.label} : indiquez l'identité du parent (nom et prénom) et sa pièce d'identité "
            "vérifiée (carte d'identité, passeport ou titre de séjour)",
        )
