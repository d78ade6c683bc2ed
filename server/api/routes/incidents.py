"""Incidents: any logged-in user but the administrator reports; the author and their supervisors read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.api.context import Caller, RoleGuard
from server.api.routes.exchanges import denials_audited
from server.security.principal import STAFF
from server.services import incidents
from shared.domain import Role
from shared.schemas.exchanges import IncidentCreate, IncidentOut

router = APIRouter(prefix="/incidents", tags=["incidents"])
Reporter = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]


@router.post("", response_model=IncidentOut, status_code=201)
def report_incident(body: IncidentCreate, caller: Reporter) -> IncidentOut:
    with (
        denials_audited(
            caller, "incident_report", prescription_id=body.prescription_id, case_id=body.case_id
        ),
        caller.state.db.session() as session,
    ):
        seen = incidents.report(session, body, caller.principal, caller.state.clock.now())
        caller.audit(
            session,
            "incident_report",
            status=201,
            patient_id=seen.patient_id,
            incident_id=seen.incident.id,
            prescription_id=seen.incident.prescription_id,
            case_id=seen.incident.case_id,
        )
        return seen.incident


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
