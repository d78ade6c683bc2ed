"""Use cases on one prescription, for every front end (the JSON API, the professionals' pages).

Each runs in its own transaction, applies the rules of the services it calls (who may see what:
server/services/prescription_views.py; who may act: answers.py, care.py; first acceptance wins:
answers.accept), audits what was read or written of patient data — the prescription's view shown
in the answer is such a read — and audits a refusal too (server/services/acting.py). The answer
is the prescription as its author may now see it, with the care loop when they see it in full.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from server.errors import Forbidden, not_found
from server.models import Patient, Prescription
from server.security.principal import STAFF
from server.services import answers, care, practices
from server.services.acting import Acting
from server.services.phone_answers import accepted_on_behalf
from server.services.prescription_views import (
    declined_in_round,
    notifications,
    usual_label,
    view,
    visibility,
)
from shared.domain import Role
from shared.schemas.care import ReportCreate, VisitCreate
from shared.schemas.dispatch import NotificationView, PrescriptionView, RenewBody

NOT_OFFERED = "Cette demande ne vous a pas été proposée"


def present(
    session: Session, prescription: Prescription, acting: Acting, *, answer_of: str | None = None
) -> PrescriptionView:
    """The prescription as `acting` may see it (Forbidden when they may not see it at all), its
    read audited — the answer of an action (`answer_of`) shows the patient as much as a read."""
    seen = visibility(session, prescription, acting.principal)
    if seen == "none":
        raise Forbidden("forbidden", NOT_OFFERED)
    patient = session.get(Patient, prescription.case.patient_id)
    assert patient is not None
    progress = care.progress(session, [prescription]).get(prescription.id) if seen == "full" else None
    staff = acting.principal.role in STAFF
    declined = declined_in_round(session, [prescription.id]).get(prescription.id, []) if staff else None
    shown = view(
        session,
        prescription,
        seen,
        acting.now,
        patient=patient,
        usual=usual_label(patient, acting.principal),
        care=progress,
        declined=declined,
    )
    if seen == "full" and prescription.accepted_by is not None:  # « par téléphone via la centrale »
        mark = accepted_on_behalf(
            session, prescription.id, prescription.round, prescription.accepted_by, show_operator=staff
        )
        shown = shown.model_copy(update={"accepted_on_behalf": mark}) if mark else shown
    action = "prescription_read_anonymised" if shown.anonymised else "prescription_read_full"
    because = {"answer_of": answer_of} if answer_of else {}
    acting.audit(session, action, patient_id=patient.id, prescription_id=prescription.id, **because)
    return shown


def read(acting: Acting, prescription_id: int) -> PrescriptionView:
    """`GET /prescriptions/{id}`; a responder's read marks their offer seen."""
    with acting.transaction("prescription_read", prescription_id=prescription_id) as tx:
        prescription = tx.session.get(Prescription, prescription_id)
        if prescription is None:
            raise not_found("Demande")
        tx.patient_id = prescription.case.patient_id
        shown = present(tx.session, prescription, acting)
        if acting.principal.role == Role.PROFESSIONAL:
            answers.mark_seen(tx.session, prescription, acting.principal.id, acting.now)
        return shown


def read_notifications(acting: Acting, prescription_id: int) -> list[NotificationView]:
    """`GET /prescriptions/{id}/notifications` (staff): who was offered the request and what they
    answered; a practice secretary only for her practice's requests. Read or refused, audited."""
    with acting.transaction("prescription_notifications", prescription_id=prescription_id) as tx:
        prescription = tx.session.get(Prescription, prescription_id)
        if prescription is None:
            raise not_found("Demande")
        tx.patient_id = prescription.case.patient_id
        principal = acting.principal
        if principal.role == Role.SECRETARY and not practices.sees_case(
            tx.session, principal.id, prescription.case_id
        ):
            raise Forbidden("forbidden", NOT_OFFERED)
        shown = notifications(tx.session, prescription_id)
        detail = {"patient_id": tx.patient_id, "prescription_id": prescription_id}
        acting.audit(tx.session, "prescription_notifications", **detail)
        return shown


def _act(
    acting: Acting,
    action: str,
    prescription_id: int,
    step: Callable[..., Prescription],
    status: int = 200,
    **arguments: Any,
) -> PrescriptionView:
    """`step(session, prescription_id=, by=, now=, **arguments)` in a transaction, audited as
    `action`; the answer is the view it leaves."""
    with acting.transaction(action, prescription_id=prescription_id) as tx:
        found = tx.session.get(Prescription, prescription_id)
        if found is not None:
            tx.patient_id = found.case.patient_id  # a refusal is audited against the patient
            secretary = acting.principal.role == Role.SECRETARY
            if secretary and visibility(tx.session, found, acting.principal) == "none":
                raise Forbidden("forbidden", NOT_OFFERED)  # another practice's: refused before acting
        prescription = step(
            tx.session, prescription_id=prescription_id, by=acting.principal, now=acting.now, **arguments
        )
        acting.audit(
            tx.session, action, patient_id=tx.patient_id, status=status, prescription_id=prescription_id
        )
        return present(tx.session, prescription, acting, answer_of=action)


def accept(acting: Acting, prescription_id: int) -> PrescriptionView:
    """First acceptance wins (409 for the others); the acceptor then sees the patient in full."""
    return _act(acting, "prescription_accept", prescription_id, answers.accept)


def decline(acting: Acting, prescription_id: int) -> PrescriptionView:
    return _act(acting, "prescription_decline", prescription_id, answers.decline)


def start(acting: Acting, prescription_id: int) -> PrescriptionView:
    return _act(acting, "prescription_start", prescription_id, answers.start)


def finish(acting: Acting, prescription_id: int, report: str) -> PrescriptionView:
    return _act(acting, "prescription_report", prescription_id, care.finish, report=report)


def cancel(acting: Acting, prescription_id: int, reason: str) -> PrescriptionView:
    return _act(acting, "prescription_cancel", prescription_id, answers.cancel, reason=reason)


def renew(acting: Acting, prescription_id: int, body: RenewBody) -> PrescriptionView:
    return _act(
        acting,
        "prescription_renew",
        prescription_id,
        answers.renew,
        response_delay_minutes=body.response_delay_minutes,
        comment=body.comment,
        intervention_delay_minutes=body.intervention_delay_minutes,
        network=answers.NetworkChange(body.network_id) if body.changes_network else None,
    )


def add_visit(acting: Acting, prescription_id: int, body: VisitCreate) -> PrescriptionView:
    return _act(acting, "prescription_visit", prescription_id, care.add_visit, status=201, body=body)


def add_report(acting: Acting, prescription_id: int, body: ReportCreate) -> PrescriptionView:
    return _act(acting, "prescription_report", prescription_id, care.add_report, status=201, text=body.text)


def end_series(acting: Acting, prescription_id: int) -> PrescriptionView:
    return _act(acting, "prescription_series_end", prescription_id, care.end_series)
