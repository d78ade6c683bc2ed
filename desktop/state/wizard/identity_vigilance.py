"""The patient step's identity vigilance (RNIV), Qt-free: the rules on the status chosen, the evidence
sent beside the fields, and the INSi answer applied (the rules and their sources:
shared/validation/identity_vigilance.py)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from desktop.state.form_errors import FieldErrors, check, format_date, parse_birth_date
from desktop.state.times import date_time
from shared.domain import IdentityStatus
from shared.schemas.identity_evidence import IdentityEvidenceOut, InsiIdentityOut
from shared.validation.identity_vigilance import (
    MINOR_FAMILY_DOCUMENTS,
    NEEDS_DOCUMENT,
    IdentityDocument,
    check_document,
    missing_evidence,
    missing_strict_traits,
)

if TYPE_CHECKING:
    from desktop.state.wizard.patient_step import PatientStep

BIRTH_PLACE_REQUIRED = (
    "Lieu de naissance obligatoire pour une identité validée ou qualifiée : code INSEE de la commune "
    "ou, né à l'étranger, du pays (99…)"
)
STRICT_TRAITS = ("birth_last_name", "birth_first_names", "birth_date", "sex", "birth_place_insee")


def identity_errors(step: PatientStep, today: date) -> FieldErrors:
    """The status chosen needs its evidence; the document its own rule (a minor's family document
    with the parent seen); from « validée » up, the strict traits, birth place included."""
    errors: FieldErrors = {}
    status = IdentityStatus(step.identity_status or IdentityStatus.PROVISIONAL)
    missing = missing_evidence(
        status, document_checked=step.document_checked(), insi_recovered=step.insi_recovered()
    )
    if missing:
        errors["identity_status"] = f"{status.label} : il manque {' et '.join(missing)}"
    if step.document_type:
        try:
            born: date | None = parse_birth_date(step.birth_date, today)
        except ValueError:
            born = None
        parent = f"{step.parent_last_name} {step.parent_first_name}".strip()
        document = IdentityDocument(step.document_type)
        parent_document = IdentityDocument(step.parent_document) if step.parent_document else None
        check(errors, "document_type", lambda: check_document(document, parent_document, parent, born, today))
    if status != IdentityStatus.PROVISIONAL:
        if not step.birth_place_insee.strip():
            errors["birth_place_insee"] = BIRTH_PLACE_REQUIRED
        values = {name: getattr(step, name).strip() for name in STRICT_TRAITS}
        strict = [label for label in missing_strict_traits(values) if not label.startswith("Lieu")]
        if strict and status in NEEDS_DOCUMENT:
            errors.setdefault("identity_status", f"{status.label} : manque {', '.join(strict)}")
    return errors


def evidence_values(step: PatientStep) -> dict[str, Any]:
    """The evidence sent beside the fields: the document checked now, the INSi answer cited now."""
    body: dict[str, Any] = {}
    if step.document_type:
        document: dict[str, Any] = {"type": step.document_type}
        if step.document_type in MINOR_FAMILY_DOCUMENTS:
            document["parent"] = {
                "last_name": step.parent_last_name.strip(),
                "first_name": step.parent_first_name.strip(),
                "document": step.parent_document,
            }
        body["identity_document"] = document
    if step.insi_reference:
        body["insi_reference"] = step.insi_reference
    return body


def insi_query(step: PatientStep, today: date) -> dict[str, Any]:
    """The traits the teleservice is searched by (the Carte Vitale's NIR helps, never alone)."""
    query: dict[str, Any] = {
        "birth_last_name": (step.birth_last_name or step.last_name).strip(),
        "first_name": (
            step.birth_first_names.split(" ")[0] if step.birth_first_names else step.first_name
        ).strip(),
        "sex": step.sex,
        "birth_date": parse_birth_date(step.birth_date, today).isoformat(),
    }
    if step.birth_place_insee.strip():
        query["birth_place_insee"] = step.birth_place_insee.strip()
    if step.nir.strip():
        query["nir"] = step.nir.strip()
    return query


def apply_insi(step: PatientStep, found: InsiIdentityOut) -> None:
    """The INS and the strict traits as the teleservice returned them, and the answer to cite."""
    step.nir = found.nir
    step.ins_oid = found.ins_oid
    step.birth_last_name = found.birth_last_name
    step.birth_first_names = found.birth_first_names
    step.sex = found.sex.value
    step.birth_date = format_date(found.birth_date)
    step.birth_place_insee = found.birth_place_insee
    step.insi_reference = found.reference
    step.notices.pop("nir", None)


def recorded_evidence(evidence: IdentityEvidenceOut) -> str:
    """The evidence on the patient's file as the operator reads it (times in Europe/Paris)."""
    lines = []
    document = evidence.document
    if document is not None:
        line = f"Pièce vérifiée : {document.label}"
        if document.parent is not None:
            parent = document.parent
            line += f" (parent : {parent.last_name} {parent.first_name}, {parent.document.label})"
        lines.append(f"{line}, par {document.checked_by} le {date_time(document.checked_at)}")
    if evidence.insi is not None:
        insi = evidence.insi
        lines.append(
            f"INS récupérée (téléservice INSi, réf. {insi.reference}), par {insi.recovered_by} "
            f"le {date_time(insi.recovered_at)}"
        )
    return "\n".join(lines)
