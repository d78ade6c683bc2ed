"""Threads and their participants: a caller's seat in a thread, creating one, adding people,
leaving (docs/messaging.md). The use cases (server/services/messaging_actions.py) call these inside
their transaction; every change appends its feed event here.

A stranger to a thread (never a participant) gets the same 404 as for a thread that does not
exist: they learn nothing of it. A participant who left keeps reading up to their leaving
(`Seat.cap`) and may write nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Conflict, Forbidden, Invalid, NotFound, not_found
from server.models import Case, Patient, Prescription, Thread, ThreadParticipant
from server.models.messaging import ROW_ID_MAX
from server.security.principal import Principal
from server.services import feed, messaging_recipients
from server.services.acting import Tx
from shared.schemas.feed_activity import ThreadParticipantsChanged
from shared.schemas.messaging import (
    NOT_A_PARTICIPANT,
    PARTICIPANTS_MAX,
    PARTICIPANTS_MESSAGE,
    PATIENT_NOT_VISIBLE,
    THREAD_ARCHIVED,
    THREAD_NOT_FOUND,
)


def thread_not_found() -> NotFound:
    return NotFound(THREAD_NOT_FOUND, "Conversation introuvable")


@dataclass(frozen=True)
class Seat:
    """The caller's place in a thread."""

    thread: Thread
    participant: ThreadParticipant

    @property
    def left(self) -> bool:
        return self.participant.left_at is not None

    @property
    def cap(self) -> int | None:
        """The last message id they may read (None: no limit, they are in the thread)."""
        return (self.participant.left_message_id or 0) if self.left else None

    def require_writer(self) -> None:
        """403 after leaving, 409 once archived."""
        if self.left:
            raise Forbidden(
                NOT_A_PARTICIPANT, "Vous avez quitté cette conversation : vous ne pouvez plus y écrire"
            )
        if self.thread.archived_at is not None:
            raise Conflict(THREAD_ARCHIVED, "Conversation archivée : elle est en lecture seule")


def seat(tx: Tx, thread_id: int, user_id: int, *, lock: bool = False) -> Seat:
    """The caller's seat; 404 `thread_not_found` when the thread is unknown or not theirs. The
    thread's patient is set on `tx` first, so a refusal is audited against them. `lock` takes the
    thread's row (PostgreSQL `FOR UPDATE`; SQLite serialises writers): posts in one thread are
    numbered and committed in the same order."""
    if not 0 < thread_id <= ROW_ID_MAX:
        raise thread_not_found()
    query = select(Thread).where(Thread.id == thread_id)
    if lock and tx.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    thread = tx.session.scalar(query)
    if thread is None:
        raise thread_not_found()
    tx.patient_id = thread.patient_id
    participant = tx.session.get(ThreadParticipant, (thread_id, user_id))
    if participant is None:
        raise thread_not_found()
    return Seat(thread, participant)


def current_ids(session: Session, thread_id: int) -> tuple[int, ...]:
    """The participants who have not left, by user id."""
    return tuple(
        session.scalars(
            select(ThreadParticipant.user_id)
            .where(ThreadParticipant.thread_id == thread_id, ThreadParticipant.left_at.is_(None))
            .order_by(ThreadParticipant.user_id)
        )
    )


def subject_patient(session: Session, patient_id: int | None, prescription_id: int | None) -> Patient | None:
    """What a new thread is about: the patient, or the request's patient (both given: the same)."""
    if prescription_id is not None:
        if prescription_id > ROW_ID_MAX:
            raise not_found("Demande")
        found = session.execute(
            select(Case.patient_id)
            .join(Prescription, Prescription.case_id == Case.id)
            .where(Prescription.id == prescription_id)
        ).first()
        if found is None:
            raise not_found("Demande")
        if patient_id is not None and patient_id != found[0]:
            raise Invalid("patient_mismatch", "Ce patient n'est pas celui de cette demande")
        patient_id = found[0]
    if patient_id is None:
        return None
    patient = session.get(Patient, patient_id) if patient_id <= ROW_ID_MAX else None
    if patient is None:
        raise not_found("Patient")
    return patient


def create(
    tx: Tx,
    author: Principal,
    participant_ids: list[int],
    subject: str | None,
    patient_id: int | None,
    prescription_id: int | None,
    now: datetime,
) -> Thread:
    """A thread with its author and participants (checked: able to receive messages; able to see
    the patient if any). Its first message is posted by the caller (messaging_messages.post)."""
    others = [uid for uid in dict.fromkeys(participant_ids) if uid != author.id]
    if not others:
        raise Invalid("participants_required", "Choisissez au moins un destinataire autre que vous-même")
    if len(others) + 1 > PARTICIPANTS_MAX:
        raise Invalid("participants_too_many", PARTICIPANTS_MESSAGE)
    messaging_recipients.eligible(tx.session, others)
    patient = subject_patient(tx.session, patient_id, prescription_id)
    if patient is not None:
        tx.patient_id = patient.id
        if not messaging_recipients.may_see(tx.session, patient, author.id):
            raise Forbidden(PATIENT_NOT_VISIBLE, "Vous ne pouvez pas voir ce patient", user_id=author.id)
        messaging_recipients.require_seeing(tx.session, patient, others)
    thread = Thread(
        subject=subject,
        patient_id=patient.id if patient is not None else None,
        prescription_id=prescription_id,
        created_by=author.id,
        created_at=now,
        last_message_at=now,
    )
    tx.session.add(thread)
    tx.session.flush()
    tx.session.add_all(
        ThreadParticipant(thread_id=thread.id, user_id=uid, joined_at=now) for uid in [author.id, *others]
    )
    tx.session.flush()
    return thread


def add(tx: Tx, place: Seat, user_ids: list[int], now: datetime) -> tuple[int, ...]:
    """Adds (or adds again, after leaving) these people; those already in are left as they are.
    Returns who was added; the feed event names them."""
    place.require_writer()
    session = tx.session
    wanted = list(dict.fromkeys(user_ids))
    messaging_recipients.eligible(session, wanted)
    thread = place.thread
    if thread.patient_id is not None:
        patient = session.get(Patient, thread.patient_id)
        assert patient is not None  # the foreign key
        messaging_recipients.require_seeing(session, patient, wanted)
    rows = {
        p.user_id: p
        for p in session.scalars(select(ThreadParticipant).where(ThreadParticipant.thread_id == thread.id))
    }
    added = [uid for uid in wanted if uid not in rows or rows[uid].left_at is not None]
    staying = sum(1 for p in rows.values() if p.left_at is None)
    if staying + len(added) > PARTICIPANTS_MAX:
        raise Invalid("participants_too_many", PARTICIPANTS_MESSAGE)
    for uid in added:
        row = rows.get(uid)
        if row is None:
            session.add(ThreadParticipant(thread_id=thread.id, user_id=uid, joined_at=now))
        else:
            row.joined_at, row.left_at, row.left_message_id = now, None, None
    session.flush()
    if added:
        event = ThreadParticipantsChanged(
            thread_id=thread.id, participant_ids=current_ids(session, thread.id), added=tuple(added)
        )
        feed.append_event(session, event, now)
    return tuple(added)


def leave(tx: Tx, place: Seat, now: datetime) -> None:
    """The caller leaves: they keep reading what was posted so far; leaving twice changes nothing."""
    if place.left:
        return
    participant = place.participant
    participant.left_at = now
    participant.left_message_id = place.thread.last_message_id
    tx.session.flush()
    event = ThreadParticipantsChanged(
        thread_id=place.thread.id,
        participant_ids=current_ids(tx.session, place.thread.id),
        left=participant.user_id,
    )
    feed.append_event(tx.session, event, now)
