"""Threads as the caller sees them (`ThreadOut`), for one thread or a page of the list, in a fixed
number of queries whatever the number of threads (no query per thread): the participants with their
names, the unread counts, the last messages and their attachments, the patients and which of them
the caller may see."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from server.models import Message, Patient, Thread, ThreadParticipant
from server.security.principal import Principal
from server.services import messaging_messages, messaging_read_marks, messaging_recipients
from server.services.messaging_recipients import Person
from server.services.messaging_threads import Seat
from shared.schemas.common import PersonRef
from shared.schemas.messaging import ParticipantOut, ThreadOut, ThreadPage, ThreadPatient


def _last_visible(place: Seat) -> int | None:
    last = place.thread.last_message_id
    cap = place.cap
    return last if cap is None or last is None else min(last, cap)


def views(session: Session, principal: Principal, seats: list[Seat]) -> list[ThreadOut]:
    thread_ids = [s.thread.id for s in seats]
    rows = list(
        session.scalars(
            select(ThreadParticipant)
            .where(ThreadParticipant.thread_id.in_(thread_ids))
            .order_by(ThreadParticipant.thread_id, ThreadParticipant.joined_at, ThreadParticipant.user_id)
        )
    )
    names = messaging_recipients.people(
        session, {r.user_id for r in rows} | {s.thread.created_by for s in seats}
    )
    unread = messaging_read_marks.unread_by_thread(session, principal.id, thread_ids)
    last_ids = [i for i in (_last_visible(s) for s in seats) if i is not None]
    last = {m.id: m for m in messaging_messages.views(session, _messages(session, last_ids))}
    patients = _patients(session, principal, {s.thread.patient_id for s in seats if s.thread.patient_id})
    by_thread: dict[int, list[ParticipantOut]] = {}
    for row in rows:
        person = names.get(row.user_id) or Person(row.user_id, "", "", "")
        by_thread.setdefault(row.thread_id, []).append(
            ParticipantOut(
                user_id=row.user_id,
                name=person.name,
                role=person.role,
                detail=person.detail,
                joined_at=row.joined_at,
                left_at=row.left_at,
                last_read_message_id=row.last_read_message_id,
            )
        )
    out = []
    for place in seats:
        thread = place.thread
        creator = names.get(thread.created_by)
        last_id = _last_visible(place)
        out.append(
            ThreadOut(
                id=thread.id,
                subject=thread.subject,
                patient=patients.get(thread.patient_id) if thread.patient_id else None,
                prescription_id=thread.prescription_id,
                created_by=PersonRef(id=thread.created_by, name=creator.name if creator else ""),
                created_at=thread.created_at,
                participants=by_thread.get(thread.id, []),
                last_message=last.get(last_id) if last_id is not None else None,
                last_message_at=thread.last_message_at,
                unread=unread.get(thread.id, 0),
                left=place.left,
                archived=thread.archived_at is not None,
            )
        )
    return out


def _messages(session: Session, ids: Collection[int]) -> list[Message]:
    if not ids:
        return []
    return list(session.scalars(select(Message).where(Message.id.in_(ids))))


def _patients(session: Session, principal: Principal, patient_ids: set[int]) -> dict[int, ThreadPatient]:
    """Each thread's patient: the name only where the caller may see them now."""
    if not patient_ids:
        return {}
    seen = messaging_recipients.seen_patients(session, principal, patient_ids)
    found = {}
    for pid, last_name, first_name in session.execute(
        select(Patient.id, Patient.last_name, Patient.first_name).where(Patient.id.in_(patient_ids))
    ):
        name = f"{last_name.upper()} {first_name}" if pid in seen else None
        found[pid] = ThreadPatient(id=pid, name=name)
    return found


def page(session: Session, principal: Principal, offset: int, limit: int, archived: bool) -> ThreadPage:
    """The caller's threads, the most recent message first; archived ones only when asked."""
    mine = and_(ThreadParticipant.thread_id == Thread.id, ThreadParticipant.user_id == principal.id)
    state = Thread.archived_at.is_not(None) if archived else Thread.archived_at.is_(None)
    total = session.scalar(
        select(func.count()).select_from(Thread).join(ThreadParticipant, mine).where(state)
    )
    rows = session.execute(
        select(Thread, ThreadParticipant)
        .join(ThreadParticipant, mine)
        .where(state)
        .order_by(Thread.last_message_at.desc(), Thread.id.desc())
        .offset(offset)
        .limit(limit)
    )
    seats = [Seat(thread, participant) for thread, participant in rows]
    badge = messaging_read_marks.unread(session, principal.id)
    return ThreadPage(
        items=views(session, principal, seats), total=int(total or 0), unread_threads=badge.unread_threads
    )
