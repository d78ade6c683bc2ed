"""Sending prescriptions to responders, and the timers that move them on.

A round notifies the patient's usual professionals alone for the first half of the response delay
(then the pool), or the pool at once when the patient has no registered usual professional of
that profession. Timers are rows (`due_at`), so they survive restarts; `process_due` claims due
rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL — two server processes never fire one timer twice
— and runs inside SQLite's single writer transaction (`BEGIN IMMEDIATE`) otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from server.db import Database
from server.models import Notification, Patient, Prescription
from server.notify import webhooks
from server.services import feed
from server.services.matching import Candidate, Request, pool_candidates, usual_candidates
from shared.domain import CareMode, PrescriptionState

TIMER_BATCH = 100


def _request(prescription: Prescription) -> Request:
    return Request(prescription.profession_code, CareMode(prescription.care_mode), prescription.network_id)


def _notify(session: Session, prescription: Prescription, candidates: list[Candidate], now: datetime) -> None:
    if candidates:
        # One executemany: a pool is often hundreds of responders, ORM objects cost 3× more here.
        session.execute(
            insert(Notification),
            [
                {
                    "prescription_id": prescription.id,
                    "round": prescription.round,
                    "user_id": c.user_id,
                    "usual": c.usual,
                    "distance_km": c.distance_km,
                    "notified_at": now,
                }
                for c in candidates
            ],
        )
    prescription.notified_count += len(candidates)
    webhooks.queue_offers(session, [c.user_id for c in candidates], offer_payload(prescription), now)


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


def start_round(session: Session, prescription: Prescription, patient: Patient, now: datetime) -> None:
    """Notify whoever the round starts with; the caller appends the event that announces it."""
    delay = timedelta(minutes=prescription.response_delay_minutes)
    prescription.state = PrescriptionState.PENDING.value
    prescription.sent_at = now
    prescription.deadline_at = now + delay
    prescription.notified_count = 0
    usual = usual_candidates(session, _request(prescription), patient, now)
    if usual:
        prescription.priority_until = now + delay / 2
        prescription.pool_opened = False
        prescription.due_at = prescription.priority_until
        _notify(session, prescription, usual, now)
    else:
        prescription.priority_until = None
        prescription.pool_opened = True
        prescription.due_at = prescription.deadline_at
        _notify(session, prescription, pool_candidates(session, _request(prescription), patient, now), now)


def _open_pool(session: Session, prescription: Prescription, now: datetime) -> None:
    patient = session.get(Patient, prescription.case.patient_id)
    assert patient is not None
    already = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.prescription_id == prescription.id, Notification.round == prescription.round
            )
        )
    )
    before = prescription.notified_count
    _notify(
        session, prescription, pool_candidates(session, _request(prescription), patient, now, already), now
    )
    prescription.pool_opened = True
    prescription.due_at = prescription.deadline_at
    feed.append_event(
        session,
        "prescription_pool_opened",
        now,
        case_id=prescription.case_id,
        prescription_id=prescription.id,
        data={
            "round": prescription.round,
            "notified_count": prescription.notified_count,
            "added": prescription.notified_count - before,
        },
    )


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
    feed.append_event(
        session,
        "prescription_expired",
        now,
        case_id=prescription.case_id,
        prescription_id=prescription.id,
        data={"round": prescription.round},
    )


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
