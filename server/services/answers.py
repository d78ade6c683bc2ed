"""What happens to a prescription after it is sent: answers, start, finish, cancel, renew.

Lock order, everywhere: the prescription row first (so a timer or another answer on the same row
waits), then its notifications, then the feed counter (events last).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.errors import Conflict, Forbidden, Invalid, not_found
from server.models import Network, Notification, Patient, Prescription
from server.security.principal import Principal
from server.services import doctor_informed, feed
from server.services.dispatch import close_open_notifications, open_pool_when_usual_done, start_round
from server.services.prescription_views import is_requester
from shared.domain import PrescriptionState, Role
from shared.schemas.feed import (
    PrescriptionAccepted,
    PrescriptionCancelled,
    PrescriptionDeclined,
    PrescriptionFinished,
    PrescriptionRenewed,
    PrescriptionStarted,
)

_STATE_CONFLICT = {
    PrescriptionState.ACCEPTED: "Cette demande a déjà été acceptée",
    PrescriptionState.STARTED: "Cette demande a déjà débuté",
    PrescriptionState.FINISHED: "Cette demande est terminée",
    PrescriptionState.EXPIRED: "Cette demande a expiré : aucun intervenant n'a accepté dans le délai",
    PrescriptionState.CANCELLED: "Cette demande a été annulée",
    PrescriptionState.PENDING: "Cette demande est encore en attente d'acceptation",
}


def locked(session: Session, prescription_id: int) -> Prescription:
    prescription = session.get(Prescription, prescription_id, with_for_update=True)
    if prescription is None:
        raise not_found("Demande")
    return prescription


def state_conflict(prescription: Prescription) -> Conflict:
    state = PrescriptionState(prescription.state)
    return Conflict(f"state_{state.value}", _STATE_CONFLICT[state], state=state.value)


def current_notification(session: Session, prescription: Prescription, user_id: int) -> Notification | None:
    return session.scalar(
        select(Notification).where(
            Notification.prescription_id == prescription.id,
            Notification.round == prescription.round,
            Notification.user_id == user_id,
        )
    )


def accept(
    session: Session, prescription_id: int, by: Principal, now: datetime, on_behalf_by: int | None = None
) -> Prescription:
    """`by` accepts; `on_behalf_by`: the operator who records it for them (by phone), named in the event."""
    prescription = locked(session, prescription_id)
    notification = current_notification(session, prescription, by.id)
    if notification is None:
        raise Forbidden("not_notified", "Cette demande ne vous a pas été proposée")
    # The conditional update is what makes one winner, whatever the concurrency: the row lock makes
    # a second accept wait, then find the state no longer pending.
    if prescription.state == PrescriptionState.PENDING.value and prescription.deadline_at <= now:
        # The timer may not have run yet (it ticks every second): the delay is over all the same.
        raise Conflict("deadline_passed", "Le délai de réponse est dépassé", state="pending")
    won = session.execute(
        update(Prescription)
        .where(
            Prescription.id == prescription.id,
            Prescription.state == PrescriptionState.PENDING.value,
            Prescription.deadline_at > now,
        )
        .values(state=PrescriptionState.ACCEPTED.value, accepted_by=by.id, accepted_at=now, due_at=None)
        .returning(Prescription.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    session.refresh(prescription)
    if won is None:
        raise state_conflict(prescription)
    notification.answer, notification.answered_at = "accepted", now
    notification.seen_at = notification.seen_at or now
    close_open_notifications(session, prescription, "taken", now)
    doctor_informed.inform_on_acceptance(session, prescription, by, now)
    accepted = PrescriptionAccepted(
        round=prescription.round,
        accepted_by=by.id,
        accepted_by_name=by.display_name,
        on_behalf_by=on_behalf_by,
    )
    feed.append_prescription_event(session, prescription, accepted, now)
    return prescription


def decline(
    session: Session, prescription_id: int, by: Principal, now: datetime, on_behalf_by: int | None = None
) -> Prescription:
    prescription = locked(session, prescription_id)
    notification = current_notification(session, prescription, by.id)
    if notification is None:
        raise Forbidden("not_notified", "Cette demande ne vous a pas été proposée")
    if prescription.state != PrescriptionState.PENDING.value:
        raise state_conflict(prescription)
    if notification.answer is None:
        notification.answer, notification.answered_at = "declined", now
        notification.seen_at = notification.seen_at or now
        feed.append_prescription_event(
            session,
            prescription,
            PrescriptionDeclined(round=prescription.round, user_id=by.id, on_behalf_by=on_behalf_by),
            now,
        )
        open_pool_when_usual_done(session, prescription, now)
    return prescription


def own(session: Session, prescription: Prescription, by: Principal) -> None:
    """Only the acceptor: 403 for anyone else, the state's 409 for a responder it was offered to."""
    if prescription.accepted_by == by.id:
        return
    if prescription.accepted_by is None and current_notification(session, prescription, by.id) is not None:
        raise state_conflict(prescription)  # offered to them, nobody accepted it (yet): the state says why
    raise Forbidden("not_yours", "Seul l'intervenant qui a accepté peut faire cela")


def start(session: Session, prescription_id: int, by: Principal, now: datetime) -> Prescription:
    prescription = locked(session, prescription_id)
    own(session, prescription, by)
    if prescription.state != PrescriptionState.ACCEPTED.value:
        raise state_conflict(prescription)
    begin(session, prescription, by, now)
    return prescription


def begin(session: Session, prescription: Prescription, by: Principal, now: datetime) -> None:
    """An accepted prescription (locked, checked) starts."""
    prescription.state, prescription.started_at = PrescriptionState.STARTED.value, now
    feed.append_prescription_event(
        session, prescription, PrescriptionStarted(round=prescription.round, user_id=by.id), now
    )


def close_finished(session: Session, prescription: Prescription, by: Principal, now: datetime) -> None:
    """A started prescription (locked, checked) is finished."""
    prescription.state, prescription.finished_at = PrescriptionState.FINISHED.value, now
    prescription.closed_at = now
    feed.append_prescription_event(
        session, prescription, PrescriptionFinished(round=prescription.round, user_id=by.id), now
    )


def cancel(session: Session, prescription_id: int, by: Principal, reason: str, now: datetime) -> Prescription:
    prescription = locked(session, prescription_id)
    if by.role == Role.PROFESSIONAL and not is_requester(prescription, by.id):
        raise Forbidden("forbidden", "Seul le demandeur ou la centrale peut annuler cette demande")
    if prescription.state not in (PrescriptionState.PENDING.value, PrescriptionState.ACCEPTED.value):
        raise state_conflict(prescription)
    prescription.state, prescription.closed_at, prescription.due_at = (
        PrescriptionState.CANCELLED.value,
        now,
        None,
    )
    prescription.cancel_reason, prescription.cancelled_by = reason, by.id
    close_open_notifications(session, prescription, "cancelled", now)
    feed.append_prescription_event(
        session, prescription, PrescriptionCancelled(round=prescription.round, reason=reason, by=by.id), now
    )
    return prescription


def ordinal(round_: int) -> str:
    return "1er" if round_ == 1 else f"{round_}e"


def renew(
    session: Session,
    prescription_id: int,
    by: Principal,
    now: datetime,
    response_delay_minutes: int,
    comment: str | None,
    intervention_delay_minutes: int | None,
    network: NetworkChange | None = None,
) -> Prescription:
    """A new round of an expired or cancelled prescription, or of a pending one that reached
    nobody (widened: another delay, or without its network restriction): by the staff, or by its
    requester. `network`, when given, replaces the restriction (`NetworkChange(None)` lifts it)."""
    prescription = locked(session, prescription_id)
    if by.role == Role.PROFESSIONAL and not is_requester(prescription, by.id):
        raise Forbidden("not_requester", "Seul le demandeur ou la centrale peut renouveler cette demande")
    pending = prescription.state == PrescriptionState.PENDING.value
    reached_nobody = pending and prescription.notified_count == 0
    closed = prescription.state in (PrescriptionState.EXPIRED.value, PrescriptionState.CANCELLED.value)
    if not (closed or reached_nobody):
        raise state_conflict(prescription)
    if network is not None:
        if network.network_id is not None and session.get(Network, network.network_id) is None:
            raise Invalid("network_unknown", f"Réseau inconnu : {network.network_id}")
        prescription.network_id = network.network_id
    patient = session.get(Patient, prescription.case.patient_id)
    assert patient is not None
    prescription.round += 1
    prescription.response_delay_minutes = response_delay_minutes
    if comment:
        prescription.comment = (
            f"{prescription.comment}\n[{ordinal(prescription.round)} Déclenchement] {comment}"
        )
    if intervention_delay_minutes is not None:
        prescription.intervention_delay_minutes = intervention_delay_minutes
        prescription.intervention_at = prescription.intervention_tz = None
    prescription.closed_at = prescription.cancel_reason = prescription.cancelled_by = None
    prescription.accepted_by = prescription.accepted_at = None
    start_round(session, prescription, patient, now)
    session.flush()
    renewed = PrescriptionRenewed(
        round=prescription.round,
        label=f"{ordinal(prescription.round)} Déclenchement",
        notified_count=prescription.notified_count,
        deadline_at=prescription.deadline_at,
        priority_until=prescription.priority_until,
    )
    feed.append_prescription_event(session, prescription, renewed, now)
    return prescription


@dataclass(frozen=True)
class NetworkChange:
    """The network a renewed round is restricted to; None: no restriction (every network)."""

    network_id: int | None


def mark_seen(session: Session, prescription: Prescription, user_id: int, now: datetime) -> None:
    notification = current_notification(session, prescription, user_id)
    if notification is not None and notification.seen_at is None:
        notification.seen_at = now
