"""Use cases of messaging (« Messagerie », issue 20) for every front end: the JSON routes
(server/api/routes/messaging.py) and the professionals' pages alike. Each opens its transaction,
applies the rules of server/services/messaging_*.py and audits:

- every read of a patient thread (header, messages, attachment; a list: one entry per patient
  thread shown) and every write (start, post, add, leave), with the patient's id;
- every refusal, in a transaction of its own once the refused one is rolled back: `forbidden`
  with status 403 (`patient_not_visible` names the person refused in `user_id`, the reason's
  code, the attempted action), or 404 for a thread the caller is a stranger to (`thread_not_found`:
  they learn nothing of it, the trail records the attempt and the patient).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from server.errors import Forbidden, NotFound, not_found
from server.models import Patient
from server.models.messaging import ROW_ID_MAX
from server.services import (
    messaging_attachments,
    messaging_messages,
    messaging_read_marks,
    messaging_recipients,
    messaging_thread_views,
    messaging_threads,
)
from server.services.acting import Acting, Tx
from server.services.exchange_actions import Download
from server.services.messaging_attachments import AttachmentUpload
from server.services.messaging_recipients import MESSAGING_ROLES
from server.services.messaging_threads import Seat
from shared.schemas.messaging import (
    MESSAGES_PAGE_DEFAULT,
    PATIENT_NOT_VISIBLE,
    THREAD_NOT_FOUND,
    THREADS_PAGE_MAX,
    MessageOut,
    MessagePage,
    RecipientOut,
    ThreadCreate,
    ThreadOut,
    ThreadPage,
    UnreadOut,
)

__all__ = [
    "AttachmentUpload",
    "Download",
    "add_participants",
    "download",
    "leave",
    "mark_read",
    "messages",
    "post",
    "recipients",
    "start_thread",
    "thread",
    "threads",
    "unread",
]


@contextmanager
def _transaction(acting: Acting, attempted: str, **detail: Any) -> Iterator[Tx]:
    """A use case's unit of work. A refusal — 403, or 404 `thread_not_found` — is audited after
    the rollback, against the patient the use case had found (`Tx.patient_id`), with the refusal's
    extra fields (the person refused); the patient's id never goes back to the caller."""
    holder: list[Tx] = []
    try:
        if acting.principal.role not in MESSAGING_ROLES:
            raise Forbidden("forbidden_role", "La messagerie n'est pas ouverte à votre rôle")
        with acting.db.session() as session:
            tx = Tx(session)
            holder.append(tx)
            yield tx
    except (Forbidden, NotFound) as refusal:
        if isinstance(refusal, NotFound) and refusal.code != THREAD_NOT_FOUND:
            raise
        status = 403 if isinstance(refusal, Forbidden) else 404
        patient_id = holder[0].patient_id if holder else None
        entry = {**detail, **refusal.extra, "attempted": attempted, "reason": refusal.code}
        with acting.db.session() as session:
            acting.audit(session, "forbidden", patient_id=patient_id, status=status, **entry)
        raise


def _patient_audit(acting: Acting, tx: Tx, action: str, place: Seat, **detail: Any) -> None:
    """A read of a patient thread is an audit entry; a thread about no patient is none."""
    if place.thread.patient_id is not None:
        acting.audit(
            tx.session, action, patient_id=place.thread.patient_id, thread_id=place.thread.id, **detail
        )


def _written(acting: Acting, tx: Tx, action: str, place: Seat, status: int = 200, **detail: Any) -> None:
    acting.audit(
        tx.session,
        action,
        status=status,
        patient_id=place.thread.patient_id,
        thread_id=place.thread.id,
        **detail,
    )


def _view(acting: Acting, tx: Tx, place: Seat) -> ThreadOut:
    tx.session.refresh(place.thread)
    tx.session.refresh(place.participant)
    return messaging_thread_views.views(tx.session, acting.principal, [place])[0]


def recipients(
    acting: Acting, query: str, patient_id: int | None = None, thread_id: int | None = None
) -> list[RecipientOut]:
    """« Nouveau message » / « Ajouter » search: people by name (≥ 3 letters); with a patient (given,
    or a patient thread's), only those who may see them — and the caller must see them too."""
    with _transaction(acting, "messaging_recipients", thread_id=thread_id) as tx:
        if thread_id is not None:
            place = messaging_threads.seat(tx, thread_id, acting.principal.id)
            patient_id = place.thread.patient_id
        patient = None
        if patient_id is not None:
            patient = tx.session.get(Patient, patient_id) if 0 < patient_id <= ROW_ID_MAX else None
            if patient is None:
                raise not_found("Patient")
            tx.patient_id = patient.id
            if not messaging_recipients.may_see(tx.session, patient, acting.principal.id):
                raise Forbidden(PATIENT_NOT_VISIBLE, "Vous ne pouvez pas voir ce patient")
        found = messaging_recipients.search(tx.session, acting.principal, query, patient_id)
        if patient is not None:
            acting.audit(tx.session, "messaging_recipients", patient_id=patient.id, count=len(found))
        return found


def start_thread(
    acting: Acting, body: ThreadCreate, files: Sequence[AttachmentUpload] = (), client_key: str | None = None
) -> ThreadOut:
    """« Rédiger »: the thread, its participants and its first message (with attachments). With a
    `client_key` that already started a thread, that thread (nothing written again)."""
    attempted = {"participant_ids": body.participant_ids}
    with _transaction(acting, "thread_start", **attempted) as tx:
        earlier = messaging_messages.keyed(tx.session, acting.principal.id, client_key)
        if earlier is not None:
            place = messaging_threads.seat(tx, earlier.thread_id, acting.principal.id)
            started = messaging_messages.first_id(tx.session, earlier.thread_id) == earlier.id
            if not started or place.thread.created_by != acting.principal.id or earlier.text != body.text:
                raise messaging_messages.key_reused()
            return _view(acting, tx, place)
        created = messaging_threads.create(
            tx,
            acting.principal,
            body.participant_ids,
            body.subject,
            body.patient_id,
            body.prescription_id,
            acting.now,
        )
        place = messaging_threads.seat(tx, created.id, acting.principal.id, lock=True)
        first = messaging_messages.post(
            tx.session,
            place,
            acting.principal.id,
            acting.principal.display_name,
            body.text,
            files,
            acting.now,
            client_key,
        )
        _written(acting, tx, "thread_start", place, status=201, message_id=first.id)
        return _view(acting, tx, place)


def threads(acting: Acting, offset: int = 0, limit: int = 50, archived: bool = False) -> ThreadPage:
    """The caller's threads, the most recent first (one audit entry per patient thread shown)."""
    with _transaction(acting, "threads_list") as tx:
        shown = messaging_thread_views.page(
            tx.session, acting.principal, max(0, offset), max(1, min(limit, THREADS_PAGE_MAX)), archived
        )
        entries: list[tuple[int | None, dict[str, Any]]] = [
            (t.patient.id, {"thread_id": t.id}) for t in shown.items if t.patient is not None
        ]
        acting.audit_each(tx.session, "thread_list_read", entries)
        return shown


def unread(acting: Acting) -> UnreadOut:
    with _transaction(acting, "threads_unread") as tx:
        return messaging_read_marks.unread(tx.session, acting.principal.id)


def thread(acting: Acting, thread_id: int) -> ThreadOut:
    with _transaction(acting, "thread_read", thread_id=thread_id) as tx:
        place = messaging_threads.seat(tx, thread_id, acting.principal.id)
        _patient_audit(acting, tx, "thread_read", place)
        return messaging_thread_views.views(tx.session, acting.principal, [place])[0]


def messages(
    acting: Acting,
    thread_id: int,
    before: int | None = None,
    after: int | None = None,
    limit: int = MESSAGES_PAGE_DEFAULT,
) -> MessagePage:
    with _transaction(acting, "thread_messages_read", thread_id=thread_id) as tx:
        place = messaging_threads.seat(tx, thread_id, acting.principal.id)
        found = messaging_messages.page(tx.session, place, before, after, limit)
        _patient_audit(acting, tx, "thread_messages_read", place, count=len(found.items))
        return found


def post(
    acting: Acting,
    thread_id: int,
    text: str,
    files: Sequence[AttachmentUpload] = (),
    client_key: str | None = None,
) -> MessageOut:
    """A message (403 after leaving, 409 once archived; attachments as documents: 413/415/422);
    once per `client_key` (a retry gets the message the first try wrote)."""
    with _transaction(acting, "thread_post", thread_id=thread_id) as tx:
        place = messaging_threads.seat(tx, thread_id, acting.principal.id, lock=True)
        posted = messaging_messages.post(
            tx.session,
            place,
            acting.principal.id,
            acting.principal.display_name,
            text,
            files,
            acting.now,
            client_key,
        )
        _written(acting, tx, "thread_post", place, status=201, message_id=posted.id)
        return posted


def mark_read(acting: Acting, thread_id: int, up_to_message_id: int) -> None:
    """« Lu jusqu'ici »: never backwards, never past what the caller may read."""
    with _transaction(acting, "thread_mark_read", thread_id=thread_id) as tx:
        place = messaging_threads.seat(tx, thread_id, acting.principal.id)
        messaging_read_marks.mark(tx.session, place, up_to_message_id, acting.now)


def add_participants(acting: Acting, thread_id: int, user_ids: list[int]) -> ThreadOut:
    """403 `patient_not_visible` (audited with the person refused) in a patient thread."""
    with _transaction(acting, "thread_participants_add", thread_id=thread_id, user_ids=user_ids) as tx:
        place = messaging_threads.seat(tx, thread_id, acting.principal.id, lock=True)
        added = messaging_threads.add(tx, place, user_ids, acting.now)
        _written(acting, tx, "thread_participants_add", place, added=list(added))
        return _view(acting, tx, place)


def leave(acting: Acting, thread_id: int) -> ThreadOut:
    with _transaction(acting, "thread_leave", thread_id=thread_id) as tx:
        place = messaging_threads.seat(tx, thread_id, acting.principal.id, lock=True)
        messaging_threads.leave(tx, place, acting.now)
        _written(acting, tx, "thread_leave", place)
        return _view(acting, tx, place)


def download(acting: Acting, thread_id: int, attachment_id: int) -> Download:
    with _transaction(
        acting, "thread_attachment_read", thread_id=thread_id, attachment_id=attachment_id
    ) as tx:
        place = messaging_threads.seat(tx, thread_id, acting.principal.id)
        row, data = messaging_attachments.read(tx.session, place, attachment_id)
        _patient_audit(acting, tx, "thread_attachment_read", place, attachment_id=attachment_id)
        return Download(row.filename, row.content_type, data)
