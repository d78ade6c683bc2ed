"""The hotline's « Professionnels » view (issue 16): a registered professional who phones in —
find them, read their status and open offers, set their availability on their behalf. Their
answers to offers are recorded through `POST /prescriptions/{id}/accept|decline` with
`on_behalf_of` (server/api/routes/prescriptions.py). Rules: server/services/answering_for.py and
server/services/professional_lookup.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.services import answering_for, professional_lookup
from shared.domain import Role
from shared.schemas.hotline_professionals import (
    SEARCH_LIMIT_MAX,
    AvailabilityOnBehalf,
    ProfessionalStatus,
    ProfessionalSummary,
)

router = APIRouter(prefix="/professionals", tags=["hotline"])
Hotline = Annotated[Caller, Depends(RoleGuard(Role.OPERATOR, Role.SUPERVISOR))]


@router.get("", response_model=list[ProfessionalSummary], summary="Chercher un professionnel inscrit")
def search_professionals(
    caller: Hotline,
    q: str = Query(default="", max_length=100, description="Nom, prénom, RPPS ou téléphone"),
    profession: str | None = Query(default=None, pattern=r"^\d{2}$"),
    commune: str | None = Query(default=None, max_length=100, description="Nom, code postal ou INSEE"),
    limit: int = Query(default=20, ge=1, le=SEARCH_LIMIT_MAX),
) -> list[ProfessionalSummary]:
    return professional_lookup.search(acting(caller), q, profession, commune, limit)


@router.get("/{user_id}", response_model=ProfessionalStatus, summary="Statut et offres ouvertes")
def read_professional(user_id: int, caller: Hotline) -> ProfessionalStatus:
    """Status, radius, communes, the open offers with the time left (patients named: audited), and
    the patients in care."""
    return professional_lookup.status(acting(caller), user_id)


@router.put("/{user_id}/availability", response_model=ProfessionalStatus, summary="Statut, par téléphone")
def set_availability(user_id: int, body: AvailabilityOnBehalf, caller: Hotline) -> ProfessionalStatus:
    """« Indisponible jusqu'à… » (1 to 48 h) or « Disponible (C&V) / Cabinet / Visite », for the
    professional on the phone; audited as done by the operator for them."""
    return answering_for.set_availability_for(acting(caller), user_id, body)
