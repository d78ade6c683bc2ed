"""Patients. Every read and write is audited, in the same transaction as the data it touches."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.api.context import Caller, RoleGuard
from server.errors import Forbidden, Invalid
from server.security.principal import STAFF
from server.services import patient_search, patients
from server.services.patient_views import patient_out, usual_professionals_out
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
# Responders may read the patients they are a usual professional of (checked per patient).
Reader = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]


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
        items, truncated = patient_search.search(session, traits, caller.state.clock.now().date())
        caller.audit(session, "patient_search", criteria=criteria, results=[i.id for i in items])
        for item in items:
            caller.audit(session, "patient_search_result", patient_id=item.id, criteria=criteria)
        return PatientSearchResult(items=items, truncated=truncated)


@router.post("", response_model=PatientOut, status_code=201)
def create_patient(body: PatientCreate, caller: Staff) -> PatientOut:
    now = caller.state.clock.now()
    with caller.state.db.session() as session:
        patient = patients.create_patient(session, body, caller.principal, now)
        caller.audit(session, "patient_create", patient_id=patient.id, status=201)
        return patient_out(session, patient, now.date())


@router.get("/{patient_id}", response_model=PatientOut)
def read_patient(patient_id: int, caller: Reader) -> PatientOut:
    now = caller.state.clock.now()
    with caller.state.db.session() as session:
        patient = patients.get_patient(session, patient_id)
        allowed = patients.may_read(session, patient, caller.principal)
        caller.audit(
            session,
            "patient_read" if allowed else "forbidden",
            patient_id=patient_id,
            status=200 if allowed else 403,
        )
        if allowed:
            return patient_out(session, patient, now.date())
    raise Forbidden("forbidden", "Vous n'êtes pas professionnel habituel de ce patient")


@router.patch("/{patient_id}", response_model=PatientOut)
def patch_patient(patient_id: int, body: PatientPatch, caller: Staff) -> PatientOut:
    now = caller.state.clock.now()
    with caller.state.db.session() as session:
        patient = patients.update_patient(session, patient_id, body, caller.principal, now)
        caller.audit(session, "patient_update", patient_id=patient_id, fields=sorted(body.changes()))
        return patient_out(session, patient, now.date())


@router.put("/{patient_id}/usual-professionals", response_model=list[UsualProfessionalOut])
def put_usual_professionals(
    patient_id: int, body: list[UsualProfessionalIn], caller: Staff
) -> list[UsualProfessionalOut]:
    now = caller.state.clock.now()
    with caller.state.db.session() as session:
        patient = patients.set_usual_professionals(session, patient_id, body, caller.principal, now)
        caller.audit(
            session, "patient_usual_professionals", patient_id=patient_id, rpps=[i.rpps for i in body]
        )
        return usual_professionals_out(session, patient)


@router.get("/{patient_id}/timeline", response_model=list[TimelineEntry])
def read_timeline(patient_id: int, caller: Reader) -> list[TimelineEntry]:
    with caller.state.db.session() as session:
        patient = patients.get_patient(session, patient_id)
        allowed = patients.may_read(session, patient, caller.principal)
        caller.audit(
            session,
            "patient_timeline" if allowed else "forbidden",
            patient_id=patient_id,
            status=200 if allowed else 403,
        )
        if allowed:
            events = patients.timeline(session, patient_id)
            names = patients.user_names(session, {e.user_id for e in events if e.user_id is not None})
            return [
                TimelineEntry(
                    at=e.at,
                    kind=e.kind,
                    label=e.label,
                    by=names.get(e.user_id) if e.user_id else None,
                    data=e.data,
                )
                for e in events
            ]
    raise Forbidden("forbidden", "Vous n'êtes pas professionnel habituel de ce patient")
