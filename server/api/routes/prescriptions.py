"""The board, one prescription, who was notified, and every action on a prescription."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.security.principal import STAFF
from server.services import answering_for, board, prescription_actions
from server.services.prescription_views import view
from shared.domain import PrescriptionState, Role
from shared.schemas.care import ReportCreate, VisitCreate
from shared.schemas.common import AwareMoment
from shared.schemas.dispatch import CancelBody, FinishBody, NotificationView, PrescriptionView, RenewBody
from shared.schemas.hotline_professionals import AnswerOnBehalf

router = APIRouter(prefix="/prescriptions", tags=["prescriptions"])
Staff = Annotated[Caller, Depends(RoleGuard(*STAFF))]
Responder = Annotated[Caller, Depends(RoleGuard(Role.PROFESSIONAL))]
Anyone = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]
# Professionals answer for themselves; the hotline records the answer of one who phones in.
Answering = Annotated[Caller, Depends(RoleGuard(Role.PROFESSIONAL, Role.OPERATOR, Role.SUPERVISOR))]


@router.get("", response_model=list[PrescriptionView])
def list_prescriptions(
    caller: Staff,
    scope: board.Scope | None = None,
    state: PrescriptionState | None = None,
    number: str | None = Query(default=None, max_length=20),
    q: str | None = Query(default=None, max_length=100),
    since: AwareMoment | None = None,
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
    now = caller.state.clock.now()
    with caller.state.db.session() as session:
        page = board.board(session, query)
        views = [
            view(
                session,
                p,
                "full",
                now,
                patient=page.patients[p.case.patient_id],
                accepted=page.accepted_by.get(p.accepted_by) if p.accepted_by else None,
                declined=page.declined.get(p.id, []),
            )
            for p in page.rows
        ]
        caller.audit_each(
            session,
            "prescription_board",
            [(p.case.patient_id, {"prescription_id": p.id}) for p in page.rows],
        )
        return views


@router.get("/{prescription_id}", response_model=PrescriptionView, summary="Une demande, vue par l'appelant")
def read_prescription(prescription_id: int, caller: Anyone) -> PrescriptionView:
    """Staff and whoever sees it in full (acceptor, requester, usual professionals, co-treating
    acceptors) get the patient; a responder only notified gets it anonymised (an area of about 2 km,
    never the position). Anyone else: 403, audited."""
    return prescription_actions.read(acting(caller), prescription_id)


@router.get("/{prescription_id}/notifications", response_model=list[NotificationView])
def read_notifications(prescription_id: int, caller: Staff) -> list[NotificationView]:
    """Who was offered the request; a practice secretary only for her practice's requests (403,
    audited). Each read audited against the patient."""
    return prescription_actions.read_notifications(acting(caller), prescription_id)


def _answered(
    caller: Caller, prescription_id: int, body: AnswerOnBehalf | None, action: str
) -> PrescriptionView:
    """A professional answers for themselves; the hotline, for the professional `on_behalf_of`."""
    who = acting(caller)
    if caller.principal.role == Role.PROFESSIONAL:
        if body is not None:
            answering_for.refuse_on_behalf_from_professional(who, action, prescription_id)
        answer = (
            prescription_actions.accept if action == "prescription_accept" else prescription_actions.decline
        )
        return answer(who, prescription_id)
    if body is None:
        answering_for.refuse_hotline_without_professional(who, action, prescription_id)
    answer_for = answering_for.accept_for if action == "prescription_accept" else answering_for.decline_for
    return answer_for(who, prescription_id, body.on_behalf_of)


@router.post("/{prescription_id}/accept", response_model=PrescriptionView, summary="Accepter")
def accept(prescription_id: int, caller: Answering, body: AnswerOnBehalf | None = None) -> PrescriptionView:
    """The first acceptance wins; the others get 409. The acceptor then sees the patient in full.

    The hotline (operator, supervisor) records the answer of a professional who phones in with
    `{"on_behalf_of": <user_id>, "channel": "phone"}`: the same rule, audited as done by the
    operator for the professional, shown « par téléphone via la centrale » in the history; 409
    `not_notified` when the request was not offered to that professional. A professional may not
    use `on_behalf_of` (403)."""
    return _answered(caller, prescription_id, body, "prescription_accept")


@router.post("/{prescription_id}/decline", response_model=PrescriptionView, summary="Décliner")
def decline(prescription_id: int, caller: Answering, body: AnswerOnBehalf | None = None) -> PrescriptionView:
    """As `accept`, with `on_behalf_of` for the hotline recording a professional's refusal by phone."""
    return _answered(caller, prescription_id, body, "prescription_decline")


@router.post("/{prescription_id}/start", response_model=PrescriptionView, summary="Débuter les soins")
def start(prescription_id: int, caller: Responder) -> PrescriptionView:
    return prescription_actions.start(acting(caller), prescription_id)


@router.post("/{prescription_id}/finish", response_model=PrescriptionView, summary="Terminer, avec le CR")
def finish(prescription_id: int, body: FinishBody, caller: Responder) -> PrescriptionView:
    return prescription_actions.finish(acting(caller), prescription_id, body.report)


@router.post("/{prescription_id}/cancel", response_model=PrescriptionView, summary="Annuler")
def cancel(prescription_id: int, body: CancelBody, caller: Anyone) -> PrescriptionView:
    """By the hotline or the request's requester, while pending or accepted."""
    return prescription_actions.cancel(acting(caller), prescription_id, body.reason)


@router.post("/{prescription_id}/renew", response_model=PrescriptionView, summary="Renouveler une demande")
def renew(prescription_id: int, body: RenewBody, caller: Anyone) -> PrescriptionView:
    """An expired or cancelled request, or a pending one that reached nobody (`no_recipient`), by
    the hotline or its requester: a new round, with its response delay, and `network_id` when given
    (null lifts the network restriction; 422 `network_unknown` for a network that does not exist)."""
    return prescription_actions.renew(acting(caller), prescription_id, body)


# ---- the acceptor's care loop (rules: server/services/care.py) ----


@router.post("/{prescription_id}/visits", response_model=PrescriptionView, status_code=201, summary="Passage")
def add_visit(prescription_id: int, caller: Responder, body: VisitCreate | None = None) -> PrescriptionView:
    """Only the acceptor. Counted against days × visits per day (`care.visits_done` of
    `care.visits_planned`: « 2e passage sur 6 »); the first visit of an accepted prescription starts
    it. `at` defaults to now and may not be in the future."""
    return prescription_actions.add_visit(acting(caller), prescription_id, body or VisitCreate())


@router.post("/{prescription_id}/reports", response_model=PrescriptionView, status_code=201, summary="Un CR")
def add_report(prescription_id: int, body: ReportCreate, caller: Responder) -> PrescriptionView:
    """Only the acceptor, once the care has begun; as many as needed over the series. The hotline reads
    them in the request's details (`care.reports`) and the patient's history."""
    return prescription_actions.add_report(acting(caller), prescription_id, body)


@router.post("/{prescription_id}/end-series", response_model=PrescriptionView, summary="Fin série de soins")
def end_series(prescription_id: int, caller: Responder) -> PrescriptionView:
    """Only the acceptor, once begun and with at least one report; finishes a started prescription and
    moves the file to « Mes archives » (`GET /me/cases?section=archive`)."""
    return prescription_actions.end_series(acting(caller), prescription_id)
