"""What each caller may see of a prescription.

Staff (operator, secretary, supervisor) see everything. The requester, when they have an account,
sees their own request in full (they may cancel it). A responder sees a prescription only if
they were notified of it; before accepting, a responder who is not one of the patient's usual
professionals sees the area (commune, location rounded to ~1 km, age, sex), the care and the
comment, never the name, address or phone of the patient nor the caller's numbers. The accepting
responder and usual professionals see everything.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Forbidden
from server.models import Notification, Patient, Prescription, User
from server.security.principal import STAFF, Principal
from server.services.patient_views import age_on
from shared.domain import PROFESSIONS, CareMode, PrescriptionState, Role
from shared.schemas.dispatch import (
    NotificationView,
    PatientArea,
    PatientIdentity,
    PersonRef,
    PrescriptionView,
)

ADDRESS_DETAILS = ("address_complement", "building", "staircase", "floor", "digicode", "intercom", "door")


def _round_1km(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def visibility(session: Session, prescription: Prescription, principal: Principal) -> str:
    """'full', 'anonymised', or 'none' for this caller."""
    if principal.role in STAFF:
        return "full"
    if principal.role != Role.PROFESSIONAL:
        return "none"
    if prescription.accepted_by == principal.id:
        return "full"
    if prescription.case.requester.get("user_id") == principal.id:
        return "full"  # the professional who asked for this care, for their own patient
    notes = list(
        session.scalars(
            select(Notification).where(
                Notification.prescription_id == prescription.id, Notification.user_id == principal.id
            )
        )
    )
    if not notes:
        return "none"
    return "full" if any(n.usual for n in notes) else "anonymised"


def require_visibility(session: Session, prescription: Prescription, principal: Principal) -> str:
    seen = visibility(session, prescription, principal)
    if seen == "none":
        raise Forbidden("forbidden", "Cette demande ne vous a pas été proposée")
    return seen


def view(
    session: Session,
    prescription: Prescription,
    seen: str,
    today: date,
    *,
    patient: Patient | None = None,
    accepted: User | None = None,
) -> PrescriptionView:
    """``patient`` and ``accepted`` (the accepting user) when the caller loaded them already."""
    case = prescription.case
    patient = patient or session.get(Patient, case.patient_id)
    assert patient is not None
    if accepted is None and prescription.accepted_by:
        accepted = session.get(User, prescription.accepted_by)
    full = seen == "full"
    state = PrescriptionState(prescription.state)
    return PrescriptionView(
        id=prescription.id,
        case_id=case.id,
        case_number=case.number,
        round=prescription.round,
        state=state,
        state_label=f"Accepté par {accepted.display_name}"
        if accepted and state == PrescriptionState.ACCEPTED
        else state.label,
        profession_code=prescription.profession_code,
        profession=PROFESSIONS[prescription.profession_code],
        care_type=prescription.care_type,
        care_mode=CareMode(prescription.care_mode),
        network_id=prescription.network_id,
        intervention_at=prescription.intervention_at,
        intervention_tz=prescription.intervention_tz,
        intervention_delay_minutes=prescription.intervention_delay_minutes,
        days=prescription.days,
        visits_per_day=prescription.visits_per_day,
        response_delay_minutes=prescription.response_delay_minutes,
        comment=prescription.comment,
        sent_at=prescription.sent_at,
        deadline_at=prescription.deadline_at,
        priority_until=prescription.priority_until,
        notified_count=prescription.notified_count,
        accepted_by=PersonRef(id=accepted.id, name=accepted.display_name) if accepted else None,
        accepted_at=prescription.accepted_at,
        started_at=prescription.started_at,
        finished_at=prescription.finished_at,
        closed_at=prescription.closed_at,
        report=prescription.report if full else None,
        cancel_reason=prescription.cancel_reason,
        requester={
            k: v for k, v in case.requester.items() if k in ("name", "profession", "profession_code", "rpps")
        },
        caller=case.caller if full else None,
        area=PatientArea(
            age=age_on(patient.birth_date, today),
            sex=patient.sex,
            commune=patient.city,
            postal_code=patient.postal_code,
            approx_latitude=patient.latitude if full else _round_1km(patient.latitude),
            approx_longitude=patient.longitude if full else _round_1km(patient.longitude),
        ),
        patient=_identity(patient) if full else None,
        anonymised=not full,
    )


def _identity(patient: Patient) -> PatientIdentity:
    details = {name: getattr(patient, name) for name in ADDRESS_DETAILS if getattr(patient, name)}
    return PatientIdentity(
        id=patient.id,
        last_name=patient.last_name,
        first_name=patient.first_name,
        birth_date=patient.birth_date,
        phone=patient.phone,
        address_line=f"{patient.address_line}, {patient.postal_code} {patient.city}",
        address_details=details,
    )


def notifications(session: Session, prescription_id: int) -> list[NotificationView]:
    rows = session.execute(
        select(Notification, User.display_name)
        .join(User, User.id == Notification.user_id)
        .where(Notification.prescription_id == prescription_id)
        .order_by(
            Notification.round,
            Notification.notified_at,
            Notification.distance_km.nulls_first(),  # usual professionals (no distance), then nearest
            Notification.user_id,
        )
    )
    return [
        NotificationView(
            user_id=n.user_id,
            name=name,
            round=n.round,
            usual=n.usual,
            distance_km=None if n.distance_km is None else round(n.distance_km, 2),
            notified_at=n.notified_at,
            seen_at=n.seen_at,
            answer=n.answer,
            answered_at=n.answered_at,
        )
        for n, name in rows
    ]
