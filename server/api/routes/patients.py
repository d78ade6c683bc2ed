"""Patients. Every read and write is audited, in the same transaction as the data it touches."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.errors import Invalid
from server.security.principal import STAFF
from server.services import patient_files, patient_search, practices
from shared.domain import Role
from shared.schemas.patients import (
    PatientCreate,
    PatientOut,
    PatientPatch,
    PatientSearchResult,
    TimelineEntry,
    UsualProfessionalIn,
    UsualProfessionalOut,
)
from shared.validation import ValidationFailure, normalize_phone, parse_nir

router = APIRouter(prefix="/patients", tags=["patients"])
Staff = Annotated[Caller, Depends(RoleGuard(*STAFF))]
# Professionals read and write what their ties to the patient allow (server/services/ties.py).
Reader = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]
Writer = Reader


@router.get("", response_model=PatientSearchResult)
def search_patients(
    caller: Staff,
    phone: str | None = Query(default=None, max_length=40),
    last_name: str | None = Query(default=None, max_length=100),
    first_name: str | None = Query(default=None, max_length=100),
    birth_date: date | None = None,
    nir: str | None = Query(default=None, max_length=25),
) -> PatientSearchResult:
    try:
        traits = patient_search.Traits(
            phone=normalize_phone(phone) if phone else None,
            last_name=last_name or None,
            first_name=first_name or None,
            birth_date=birth_date,
            nir=parse_nir(nir).value if nir else None,
        )
    except ValidationFailure as failure:
        raise Invalid.of(failure) from failure
    criteria = sorted(k for k, v in vars(traits).items() if v)
    with caller.state.db.session() as session:
        # A practice secretary finds her professionals' patients only (server/services/practices.py).
        secretary = caller.principal.role == Role.SECRETARY
        within = practices.patients_condition(caller.principal.id) if secretary else None
        items, truncated = patient_search.search(session, traits, caller.state.clock.now().date(), within)
        caller.audit(session, "patient_search", criteria=criteria, results=[i.id for i in items])
        for item in items:
            caller.audit(session, "patient_search_result", patient_id=item.id, criteria=criteria)
        return PatientSearchResult(items=items, truncated=truncated)


@router.post("", response_model=PatientOut, status_code=201, summary="Créer un patient")
def create_patient(body: PatientCreate, caller: Writer) -> PatientOut:
    """Staff, and professionals (the app's own requests), with the same identity checks; a professional
    is told a NIR is taken or a duplicate likely, without the other patient's id."""
    return patient_files.create(acting(caller), body)


@router.get("/{patient_id}", response_model=PatientOut, summary="La fiche d'un patient")
def read_patient(patient_id: int, caller: Reader) -> PatientOut:
    """Staff, the patient's usual professionals, the acceptors and requesters of their cases and the
    professional who created the file; anyone else 403, audited."""
    return patient_files.read(acting(caller), patient_id)


@router.patch("/{patient_id}", response_model=PatientOut, summary="Modifier la fiche (version lue)")
def patch_patient(patient_id: int, body: PatientPatch, caller: Writer) -> PatientOut:
    """Staff change any field; the acceptor of a begun prescription of the patient only the care record
    (`advance_directives`, `trusted_persons`)."""
    return patient_files.patch(acting(caller), patient_id, body)


@router.put(
    "/{patient_id}/usual-professionals",
    response_model=list[UsualProfessionalOut],
    summary="Remplacer les professionnels habituels",
)
def put_usual_professionals(
    patient_id: int, body: list[UsualProfessionalIn], caller: Writer
) -> list[UsualProfessionalOut]:
    """Staff, and the acceptor of a begun prescription of the patient (« médecin traitant modifiable si
    l'intervention est débutée »); those removed lose their priority offers at once."""
    return patient_files.set_usual(acting(caller), patient_id, body)


@router.get("/{patient_id}/timeline", response_model=list[TimelineEntry], summary="L'historique du patient")
def read_timeline(patient_id: int, caller: Reader) -> list[TimelineEntry]:
    """All of it for the staff and the usual professionals; the lines of their own episodes for an
    acceptor or a requester; anyone else 403, audited."""
    return patient_files.history(acting(caller), patient_id)
