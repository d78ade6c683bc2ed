"""Incidents: any logged-in user but the administrator reports; the author and their supervisors read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.security.principal import STAFF
from server.services import exchange_actions, incidents
from shared.domain import Role
from shared.schemas.exchanges import IncidentCreate, IncidentOut

router = APIRouter(prefix="/incidents", tags=["incidents"])
Reporter = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]


@router.post("", response_model=IncidentOut, status_code=201)
def report_incident(body: IncidentCreate, caller: Reporter) -> IncidentOut:
    return exchange_actions.report_incident(acting(caller), body)


@router.get("", response_model=list[IncidentOut])
def list_incidents(
    caller: Reporter,
    prescription_id: int | None = None,
    case_id: int | None = None,
    limit: int = Query(default=200, ge=1, le=incidents.LIST_MAX),
) -> list[IncidentOut]:
    """The caller's own incidents; for a supervisor, also those reported from their networks."""
    with caller.state.db.session() as session:
        found = incidents.visible(
            session, caller.principal, prescription_id=prescription_id, case_id=case_id, limit=limit
        )
        for seen in found:
            if seen.patient_id is not None:  # an incident about a patient's care is patient data
                caller.audit(
                    session, "incident_read", patient_id=seen.patient_id, incident_id=seen.incident.id
                )
        return [seen.incident for seen in found]
