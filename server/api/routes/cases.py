"""Sending a case: `POST /cases`, once per `Idempotency-Key`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response
from sqlalchemy.exc import IntegrityError

from server.api.context import Caller, RoleGuard
from server.security.principal import STAFF
from server.services import cases
from shared.schemas.dispatch import CaseCreate, CaseCreated

router = APIRouter(tags=["cases"])
Senders = Annotated[Caller, Depends(RoleGuard(*STAFF))]


@router.post("/cases", response_model=CaseCreated, status_code=201)
def create_case(
    body: CaseCreate,
    caller: Senders,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> CaseCreated:
    db, principal = caller.state.db, caller.principal
    # The key is inserted first (server/services/cases.py): a key already used, committed or
    # being committed by a concurrent request, fails that insert and the first answer is replayed.
    try:
        with db.session() as session:
            created = cases.create_case(session, body, principal, caller.state.clock.now(), idempotency_key)
            caller.audit(
                session, "case_create", patient_id=body.patient_id, status=201, case_id=created.case_id
            )
            return created
    except IntegrityError:
        # The same key was used before, or by a concurrent request that committed first.
        if idempotency_key is None:
            raise
        with db.session() as session:
            earlier = cases.replay(session, idempotency_key, principal, body)
        if earlier is None:
            raise
        response.headers["Idempotent-Replayed"] = "true"
        return earlier
