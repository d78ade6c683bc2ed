"""The board, one prescription, who was notified, and every action on a prescription."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from server.api.context import Caller, RoleGuard
from server.errors import not_found
from server.models import Prescription
from server.security.principal import STAFF
from server.services import answers, board
from server.services.prescription_views import notifications, require_visibility, view
from shared.domain import PrescriptionState, Role
from shared.schemas.dispatch import CancelBody, FinishBody, NotificationView, PrescriptionView, RenewBody

router = APIRouter(prefix="/prescriptions", tags=["prescriptions"])
Staff = Annotated[Caller, Depends(RoleGuard(*STAFF))]
Responder = Annotated[Caller, Depends(RoleGuard(Role.PROFESSIONAL))]
Anyone = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]


def _answer(caller: Caller, prescription: Prescription) -> PrescriptionView:
    """Reload and present a prescription after an action, as its author may see it."""
    with caller.state.db.session() as session:
        fresh = session.get(Prescription, prescription.id)
        assert fresh is not None
        seen = require_visibility(session, fresh, caller.principal)
        return view(session, fresh, seen, caller.state.clock.now().date())


@router.get("", response_model=list[PrescriptionView])
def list_prescriptions(
    caller: Staff,
    scope: board.Scope | None = None,
    state: PrescriptionState | None = None,
    number: str | None = Query(default=None, max_length=20),
    q: str | None = Query(default=None, max_length=100),
    since: AwareDatetime | None = None,
    profession: str | None = Query(default=None, max_length=2),
    offset: int = Query(default=0, ge=0, le=1_000_000),
    exclude_mine: bool = False,
) -> list[PrescriptionView]:
    query = board.board_query(
        caller.principal,
        scope or board.default_scope(caller.principal),
        state,
        number,
        q,
        since,
        profession,
        offset,
        exclude_mine,
    )
    today = caller.state.clock.now().date()
    with caller.state.db.session() as session:
        page = board.board(session, query)
        views = [
            view(
                session,
                p,
                "full",
                today,
                patient=page.patients[p.case.patient_id],
                accepted=page.accepted_by.get(p.accepted_by) if p.accepted_by else None,
            )
            for p in page.rows
        ]
        caller.audit_each(
            session,
            "prescription_board",
            [(p.case.patient_id, {"prescription_id": p.id}) for p in page.rows],
        )
        return views


@router.get("/{prescription_id}", response_model=PrescriptionView)
def read_prescription(prescription_id: int, caller: Anyone) -> PrescriptionView:
    now = caller.state.clock.now()
    with caller.state.db.session() as session:
        prescription = session.get(Prescription, prescription_id)
        if prescription is None:
            raise not_found("Demande")
        seen = require_visibility(session, prescription, caller.principal)
        if caller.principal.role == Role.PROFESSIONAL:
            answers.mark_seen(session, prescription, caller.principal.id, now)
        caller.audit(
            session,
            f"prescription_read_{seen}",
            patient_id=prescription.case.patient_id,
            prescription_id=prescription.id,
        )
        return view(session, prescription, seen, now.date())


@router.get("/{prescription_id}/notifications", response_model=list[NotificationView])
def read_notifications(prescription_id: int, caller: Staff) -> list[NotificationView]:
    with caller.state.db.session() as session:
        if session.get(Prescription, prescription_id) is None:
            raise not_found("Demande")
        return notifications(session, prescription_id)


@router.post("/{prescription_id}/accept", response_model=PrescriptionView)
def accept(prescription_id: int, caller: Responder) -> PrescriptionView:
    with caller.state.db.session() as session:
        prescription = answers.accept(session, prescription_id, caller.principal, caller.state.clock.now())
        caller.audit(
            session,
            "prescription_accept",
            patient_id=prescription.case.patient_id,
            prescription_id=prescription_id,
        )
    return _answer(caller, prescription)


@router.post("/{prescription_id}/decline", response_model=PrescriptionView)
def decline(prescription_id: int, caller: Responder) -> PrescriptionView:
    with caller.state.db.session() as session:
        prescription = answers.decline(session, prescription_id, caller.principal, caller.state.clock.now())
    return _answer(caller, prescription)


@router.post("/{prescription_id}/start", response_model=PrescriptionView)
def start(prescription_id: int, caller: Responder) -> PrescriptionView:
    with caller.state.db.session() as session:
        prescription = answers.start(session, prescription_id, caller.principal, caller.state.clock.now())
    return _answer(caller, prescription)


@router.post("/{prescription_id}/finish", response_model=PrescriptionView)
def finish(prescription_id: int, body: FinishBody, caller: Responder) -> PrescriptionView:
    with caller.state.db.session() as session:
        prescription = answers.finish(
            session, prescription_id, caller.principal, body.report, caller.state.clock.now()
        )
        caller.audit(
            session,
            "prescription_report",
            patient_id=prescription.case.patient_id,
            prescription_id=prescription_id,
        )
    return _answer(caller, prescription)


@router.post("/{prescription_id}/cancel", response_model=PrescriptionView)
def cancel(prescription_id: int, body: CancelBody, caller: Anyone) -> PrescriptionView:
    with caller.state.db.session() as session:
        prescription = answers.cancel(
            session, prescription_id, caller.principal, body.reason, caller.state.clock.now()
        )
    return _answer(caller, prescription)


@router.post("/{prescription_id}/renew", response_model=PrescriptionView)
def renew(prescription_id: int, body: RenewBody, caller: Staff) -> PrescriptionView:
    with caller.state.db.session() as session:
        prescription = answers.renew(
            session,
            prescription_id,
            caller.principal,
            caller.state.clock.now(),
            body.response_delay_minutes,
            body.comment,
            body.intervention_delay_minutes,
        )
    return _answer(caller, prescription)
