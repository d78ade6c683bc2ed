"""Sending a case: `POST /cases`, once per `Idempotency-Key`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.security.principal import STAFF
from server.services import cases
from shared.domain import Role
from shared.schemas.dispatch import CaseCreate, CaseCreated

router = APIRouter(tags=["cases"])
Senders = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]


@router.post(
    "/cases",
    response_model=CaseCreated,
    status_code=201,
    summary="Envoyer une fiche et ses déclenchements (une fois par Idempotency-Key)",
)
def create_case(
    body: CaseCreate,
    caller: Senders,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> CaseCreated:
    """Staff; and professionals in their own name (`requester` is themselves), for a patient they may
    see (usual professional, acceptor, requester, or who created the file)."""
    created, replayed = cases.send(acting(caller), body, idempotency_key)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return created
