"""Incidents: reported by anyone, read only by their author, the supervisors of their networks and
the platform's supervisor (the hotline's own, with no network: he watches the whole platform).

The seeds: « Cette information est transmise au superviseur de réseau. Seuls les superviseur de
votre réseau et vous avez la visibilité sur cet incident. » The author's networks are recorded
when the incident is reported (`incidents.network_ids`, indexed by `incident_networks`), so a
later change of the author's networks neither hides it from the supervisors who were told nor
shows it to new ones. The change feed, read by every staff member, only says that an incident
was reported and for which networks: never its text, nor the prescription it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.errors import Forbidden, Invalid, not_found
from server.models import Case, Incident, IncidentNetwork, Prescription
from server.security.principal import Principal
from server.services import feed
from server.services.board import is_platform_supervisor
from server.services.exchanges import NONE, author_names, exchange_access
from shared.domain import Role
from shared.schemas.dispatch import PersonRef
from shared.schemas.exchanges import IncidentCreate, IncidentOut
from shared.schemas.feed import IncidentReported

LIST_MAX = 500


@dataclass(frozen=True)
class Seen:
    """An incident as shown, with the patient it concerns (for the audit), if any."""

    incident: IncidentOut
    patient_id: int | None


def _not_yours() -> Forbidden:
    return Forbidden("forbidden", "Cette demande ne vous a pas été proposée")


def _case_visible(session: Session, case: Case, by: Principal) -> bool:
    if by.role != Role.PROFESSIONAL or case.requester.get("user_id") == by.id:
        return True
    prescriptions = session.scalars(select(Prescription).where(Prescription.case_id == case.id))
    return any(exchange_access(session, p, by) != NONE for p in prescriptions)


def _links(session: Session, body: IncidentCreate, by: Principal) -> tuple[int | None, Case | None]:
    """The prescription and case an incident concerns, checked: it must exist and be the author's."""
    if body.prescription_id is not None:
        prescription = session.get(Prescription, body.prescription_id)
        if prescription is None:
            raise not_found("Demande")
        if body.case_id is not None and body.case_id != prescription.case_id:
            raise Invalid("case_mismatch", "Cette demande n'appartient pas à cette fiche")
        if exchange_access(session, prescription, by) == NONE:
            raise _not_yours()
        return prescription.id, prescription.case
    if body.case_id is not None:
        case = session.get(Case, body.case_id)
        if case is None:
            raise not_found("Fiche")
        if not _case_visible(session, case, by):
            raise Forbidden("forbidden", "Cette fiche ne vous concerne pas")
        return None, case
    return None, None


def _out(incident: Incident, name: str) -> IncidentOut:
    return IncidentOut(
        id=incident.id,
        text=incident.text,
        author=PersonRef(id=incident.author_id, name=name),
        network_ids=list(incident.network_ids),
        prescription_id=incident.prescription_id,
        case_id=incident.case_id,
        at=incident.at,
    )


def report(session: Session, body: IncidentCreate, by: Principal, now: datetime) -> Seen:
    prescription_id, case = _links(session, body, by)
    network_ids = sorted(set(by.network_ids))
    incident = Incident(
        author_id=by.id,
        network_ids=network_ids,
        prescription_id=prescription_id,
        case_id=case.id if case else None,
        text=body.text,
        at=now,
    )
    session.add(incident)
    session.flush()
    session.add_all(IncidentNetwork(incident_id=incident.id, network_id=n) for n in network_ids)
    session.flush()
    feed.append_event(session, IncidentReported(incident_id=incident.id, network_ids=network_ids), now)
    return Seen(_out(incident, by.display_name), case.patient_id if case else None)


def visible(
    session: Session,
    principal: Principal,
    *,
    prescription_id: int | None = None,
    case_id: int | None = None,
    limit: int = LIST_MAX,
) -> list[Seen]:
    """Newest first: the caller's own incidents, for a network supervisor those of their networks,
    for the platform's supervisor (no network: ``board.is_platform_supervisor``) every incident."""
    mine = Incident.author_id == principal.id
    if is_platform_supervisor(principal):
        query = select(Incident, Case.patient_id)
    elif principal.role == Role.SUPERVISOR and principal.network_ids:
        of_networks = select(IncidentNetwork.incident_id).where(
            IncidentNetwork.network_id.in_(principal.network_ids)
        )
        query = select(Incident, Case.patient_id).where(or_(mine, Incident.id.in_(of_networks)))
    else:
        query = select(Incident, Case.patient_id).where(mine)
    query = query.outerjoin(Case, Case.id == Incident.case_id)
    if prescription_id is not None:
        query = query.where(Incident.prescription_id == prescription_id)
    if case_id is not None:
        query = query.where(Incident.case_id == case_id)
    rows = session.execute(query.order_by(Incident.at.desc(), Incident.id.desc()).limit(limit)).all()
    names = author_names(session, {incident.author_id for incident, _ in rows})
    return [Seen(_out(incident, names.get(incident.author_id, "")), patient) for incident, patient in rows]
