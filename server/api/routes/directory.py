"""The national directory: professional search and caller lookup (patients audited, staff only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.api.context import Caller, RoleGuard
from server.directory import lookup, search
from server.errors import Invalid
from server.security.principal import STAFF
from shared.domain import PROFESSIONS, Role
from shared.schemas.directory import DirectorySearchResult, PhoneLookup
from shared.validation import ValidationFailure, normalize_phone

router = APIRouter(prefix="/directory", tags=["directory"])
# Responders look colleagues up too; patients are only ever shown to staff.
Reader = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL, Role.ADMIN))]
Lookup = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]


@router.get("/professionals", response_model=DirectorySearchResult)
def search_professionals(
    caller: Reader,
    last_name: str | None = Query(default=None, max_length=100),
    first_name: str | None = Query(default=None, max_length=100),
    profession: str | None = Query(default=None, max_length=2),
    limit: int = Query(default=20, ge=1, le=100),
) -> DirectorySearchResult:
    if profession is not None and profession not in PROFESSIONS:
        raise Invalid("profession_unknown", f"Profession inconnue : « {profession} »")
    try:
        query = search.Query.of(last_name, first_name, profession, limit)
    except search.TooShort:
        raise Invalid("name_too_short", "Saisissez au moins 3 lettres du nom ou du prénom") from None
    with caller.state.db.session() as session:
        items, truncated = search.search(session, query)
    return DirectorySearchResult(items=items, truncated=truncated)


@router.get("/lookup-phone", response_model=PhoneLookup)
def lookup_phone(caller: Lookup, phone: str = Query(max_length=40)) -> PhoneLookup:
    try:
        e164 = normalize_phone(phone)
    except ValidationFailure as failure:
        raise Invalid.of(failure) from failure
    staff = caller.principal.role in STAFF
    with caller.state.db.session() as session:
        answer, patient_ids = lookup.lookup(session, e164, with_patients=staff)
        if staff:
            # Looking a number up searches the patients: audited like GET /patients?phone=.
            caller.audit(session, "patient_search", criteria=["phone"], results=patient_ids)
            for patient_id in patient_ids:
                caller.audit(session, "patient_search_result", patient_id=patient_id, criteria=["phone"])
    return answer
