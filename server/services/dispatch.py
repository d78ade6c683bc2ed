"""Sending prescriptions to responders, and the timers that move them on.

A round notifies the patient's usual professionals alone for the first half of the response delay
(then the pool), or the pool at once when the patient has no registered usual professional of
that profession. Timers are rows (`due_at`), so they survive restarts; `process_due` claims due
rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL — two server processes never fire one timer twice
— and runs inside SQLite's single writer transaction (`BEGIN IMMEDIATE`) otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, insert, select, update
from sqlalchemy.orm import Session

from server.db import Database
from server.models import Case, Notification, Patient, Prescription
from server.notify import webhooks
from server.services import feed, pool
from server.services.matching import Candidate, Request, usual_candidates
from shared.domain import CareMode, PrescriptionState
from shared.schemas.feed import PrescriptionExpired, PrescriptionPoolOpened

TIMER_BATCH = 100


def _request(prescription: Prescription) -> Request:
    return Request(prescription.profession_code, CareMode(prescription.care_mode), prescription.network_id)


def _notify_usual(
    session: Session, prescription: Prescription, usual: list[Candidate], now: datetime
) -> None:
    # A handful of rows (the patient's usual professionals of one profession).
    session.execute(
        insert(Notification),
        [
            {
                "prescription_id": prescription.id,
                "round": prescription.round,
                "user_id": c.user_id,
                "usual": True,
                "distance_km": None,
                "notified_at": now,
            }
            for c in usual
        ],
    )
    prescription.notified_count += len(usual)
    _queue_webhooks(session, prescription, now)


def _notify_pool(
    session: Session, prescription: Prescription, patient: Patient, now: datetime, exclude: list[int]
) -> int:
    return pool.notify_pool(session, prescription, patient, now, exclude, offer_payload(prescription))


def _queue_webhooks(session: Session, prescription: Prescription, now: datetime) -> None:
    payload = offer_payload(prescription)
    webhooks.queue_round_offers(session, prescription.id, prescription.round, now, payload)


def offer_payload(prescription: Prescription) -> dict[str, object]:
    """What a webhook says of an offer: enough to fetch it through the API, no identity."""
    return {
        "type": "offer",
        "prescription_id": prescription.id,
        "round": prescription.round,
        "profession_code": prescription.profession_code,
        "care_type": prescription.care_type,
        "care_mode": prescription.care_mode,
        "deadline_at": prescription.deadline_at.isoformat(),
    }


def plan_round(
    session: Session,
    prescription: Prescription,
    patient: Patient,
    now: datetime,
    declined: frozenset[int] = frozenset(),
) -> list[Candidate]:
    """Set the round's state and timers; returns the usual professionals it starts with
    (`declined`: usual professionals who refused an earlier round get no priority window).

    Needs no row id, so a new prescription is inserted once with all of it (no UPDATE after)."""
    delay = timedelta(minutes=prescription.response_delay_minutes)
    prescription.state = PrescriptionState.PENDING.value
    prescription.sent_at = now
    prescription.deadline_at = now + delay
    prescription.notified_count = 0
    usual = [
        c
        for c in usual_candidates(session, _request(prescription), patient, now)
        if c.user_id not in declined
    ]
    prescription.priority_until = now + delay / 2 if usual else None
    prescription.pool_opened = not usual
    prescription.due_at = prescription.priority_until or prescription.deadline_at
    return usual


def notify_round(
    session: Session, prescription: Prescription, patient: Patient, usual: list[Candidate], now: datetime
) -> None:
    """Notify whoever a planned round starts with: its usual professionals alone, or the pool.
    The prescription must have its id (flushed); the caller appends the event that announces it."""
    if usual:
        _notify_usual(session, prescription, usual, now)
    else:
        _notify_pool(session, prescription, patient, now, exclude=[])


def start_round(session: Session, prescription: Prescription, patient: Patient, now: datetime) -> None:
    """Plan and notify a new round of an existing prescription (renewal). A usual professional who
    declined an earlier round is not offered it alone again: with every usual professional in
    that case the pool opens at once (he is offered it with the pool when he matches it)."""
    declined = declined_earlier(session, prescription)
    usual = plan_round(session, prescription, patient, now, declined)
    notify_round(session, prescription, patient, usual, now)


def declined_earlier(session: Session, prescription: Prescription) -> frozenset[int]:
    """The usual professionals who declined an earlier round of this prescription."""
    return frozenset(
        session.scalars(
            select(Notification.user_id).where(
                Notification.prescription_id == prescription.id,
                Notification.round < prescription.round,
                Notification.usual.is_(True),
                Notification.answer == "declined",
            )
        )
    )


def _open_pool(session: Session, prescription: Prescription, now: datetime) -> None:
    patient = session.get(Patient, prescription.case.patient_id)
    assert patient is not None
    usual = list(
        session.scalars(
            select(Notification.user_id).where(
                Notification.prescription_id == prescription.id, Notification.round == prescription.round
            )
        )
    )
    added = _notify_pool(session, prescription, patient, now, exclude=usual)
    prescription.pool_opened = True
    prescription.due_at = prescription.deadline_at
    opened = PrescriptionPoolOpened(
        round=prescription.round, notified_count=prescription.notified_count, added=added
    )
    feed.append_prescription_event(session, prescription, opened, now)


def open_pool_when_usual_done(session: Session, prescription: Prescription, now: datetime) -> None:
    """During the usual professionals' priority, once none of them has an open offer left (they
    all declined, or were removed from the patient's list), the pool opens at once rather than at
    the end of the window. `prescription` is locked by the caller."""
    if prescription.pool_opened or prescription.state != PrescriptionState.PENDING.value:
        return
    if prescription.deadline_at <= now:
        return  # the deadline's timer expires it
    waiting = exists().where(
        Notification.prescription_id == prescription.id,
        Notification.round == prescription.round,
        Notification.answer.is_(None),
    )
    if not session.scalar(select(waiting)):
        prescription.priority_until = now
        _open_pool(session, prescription, now)


def withdraw_usual(session: Session, patient_id: int, user_ids: set[int], now: datetime) -> None:
    """Professionals no longer usual professionals of the patient lose the offers they had as such:
    their open notification of each pending prescription of the patient is closed `withdrawn`
    (their app is told the offer is closed), and a prescription left with no usual professional
    to answer opens to the pool at once."""
    if not user_ids:
        return
    pending = (
        select(Prescription)
        .join(Case, Case.id == Prescription.case_id)
        .where(Case.patient_id == patient_id, Prescription.state == PrescriptionState.PENDING.value)
        .order_by(Prescription.id)
        .with_for_update(of=Prescription)
    )
    for prescription in session.scalars(pending):
        withdrawn = session.execute(
            update(Notification)
            .where(
                Notification.prescription_id == prescription.id,
                Notification.round == prescription.round,
                Notification.user_id.in_(sorted(user_ids)),
                Notification.usual.is_(True),
                Notification.answer.is_(None),
            )
            .values(answer="withdrawn", answered_at=now)
            .execution_options(synchronize_session=False)
        )
        if withdrawn.rowcount:  # type: ignore[attr-defined]
            open_pool_when_usual_done(session, prescription, now)


def close_open_notifications(
    session: Session, prescription: Prescription, answer: str, now: datetime
) -> None:
    """Everyone notified of the current round who had not answered learns the outcome."""
    session.execute(
        update(Notification)
        .where(
            Notification.prescription_id == prescription.id,
            Notification.round == prescription.round,
            Notification.answer.is_(None),
        )
        .values(answer=answer, answered_at=now)
    )


def _expire(session: Session, prescription: Prescription, now: datetime) -> None:
    prescription.state = PrescriptionState.EXPIRED.value
    prescription.closed_at = now
    prescription.due_at = None
    close_open_notifications(session, prescription, "expired", now)
    feed.append_prescription_event(session, prescription, PrescriptionExpired(round=prescription.round), now)


def process_due(db: Database, now: datetime) -> int:
    """Fire every timer due at `now`; returns how many prescriptions moved."""
    moved = 0
    while True:
        with db.session() as session:
            query = (
                select(Prescription)
                .where(Prescription.state == PrescriptionState.PENDING.value, Prescription.due_at <= now)
                .order_by(Prescription.due_at, Prescription.id)
                .limit(TIMER_BATCH)
            )
            if db.kind == "postgresql":
                query = query.with_for_update(skip_locked=True)
            batch = list(session.scalars(query))
            # Row changes first, events last: the feed counter is always the last lock taken.
            for prescription in batch:
                if (
                    not prescription.pool_opened
                    and prescription.priority_until
                    and prescription.priority_until <= now
                ):
                    if prescription.deadline_at <= now:
                        prescription.pool_opened = (
                            True  # the whole delay passed at once: nothing left to open
                        )
                    else:
                        _open_pool(session, prescription, now)
                if prescription.deadline_at <= now:
                    _expire(session, prescription, now)
        moved += len(batch)
        if len(batch) < TIMER_BATCH:
            return moved
