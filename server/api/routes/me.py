"""A responder's own side: the offers they may accept now, and their availability."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from server.api.context import Caller, RoleGuard
from server.errors import Invalid, not_found
from server.models import Notification, Prescription, ProfessionalProfile
from server.services.prescription_views import view
from shared.domain import PrescriptionState, Role
from shared.schemas.admin import AvailabilityUpdate
from shared.schemas.dispatch import PrescriptionView

router = APIRouter(prefix="/me", tags=["me"])
Responder = Annotated[Caller, Depends(RoleGuard(Role.PROFESSIONAL))]


@router.get("/offers", response_model=list[PrescriptionView])
def offers(caller: Responder) -> list[PrescriptionView]:
    """Pending prescriptions of whose current round I was notified and that I have not declined."""
    today = caller.state.clock.now().date()
    with caller.state.db.session() as session:
        rows = session.execute(
            select(Prescription, Notification.usual)
            .join(Notification, Notification.prescription_id == Prescription.id)
            .where(
                Notification.user_id == caller.principal.id,
                Notification.round == Prescription.round,
                Notification.answer.is_(None),
                Prescription.state == PrescriptionState.PENDING.value,
            )
            .order_by(Prescription.deadline_at, Prescription.id)
        ).all()
        views = [view(session, p, "full" if usual else "anonymised", today) for p, usual in rows]
        for p, usual in rows:
            if usual:  # names are shown: that is a read of patient data
                caller.audit(
                    session, "prescription_read_full", patient_id=p.case.patient_id, prescription_id=p.id
                )
        return views


@router.put("/availability", response_model=AvailabilityUpdate)
def set_availability(body: AvailabilityUpdate, caller: Responder) -> AvailabilityUpdate:
    until = body.unavailable_until
    if until is not None:
        # « Indisponible entre 1h et 48h » (seeds): a temporary pause, the status resumes after it.
        left = until - caller.state.clock.now()
        if not timedelta(minutes=59) <= left <= timedelta(hours=48):
            raise Invalid(
                "unavailable_range",
                "Indisponibilité temporaire : entre 1 h et 48 h à partir de maintenant",
            )
    with caller.state.db.session() as session:
        profile = session.get(ProfessionalProfile, caller.principal.id)
        if profile is None:
            raise not_found("Profil professionnel")
        profile.availability = body.availability.value
        profile.unavailable_until = body.unavailable_until
        return AvailabilityUpdate(availability=body.availability, unavailable_until=body.unavailable_until)
