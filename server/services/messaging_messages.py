"""Posting a message and reading a thread's messages, page by page (docs/messaging.md « Paging »).

Paging is keyset on the message id, never an offset: `before=N` gives the newest `limit` below N,
`after=N` the oldest `limit` above N, neither the newest. Posting locks the thread's row first
(messaging_threads.seat(lock=True)), so within a thread ids are taken and committed in the same
order: a reader who has seen message N never later finds one below N appear.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import Invalid
from server.models import Message, User
from server.models.messaging import ROW_ID_MAX
from server.services import feed, messaging_attachments, messaging_recipients
from server.services.messaging_attachments import AttachmentUpload
from server.services.messaging_threads import Seat, current_ids
from shared.schemas.common import PersonRef
from shared.schemas.feed_activity import MessagePosted
from shared.schemas.messaging import (
    MESSAGE_TEXT_MESSAGE,
    MESSAGES_PAGE_MAX,
    MessageCreate,
    MessageOut,
    MessagePage,
)


def checked_text(text: str, with_files: bool) -> str:
    """The text as MessageCreate takes it (required, 4,000 characters, no NUL); empty is allowed
    beside attachments (a photo sent alone)."""
    if with_files and not text.strip():
        return ""
    try:
        return MessageCreate(text=text).text
    except ValidationError as invalid:
        too_long = any(error.get("type") == "string_too_long" for error in invalid.errors())
        if too_long:
            raise Invalid("text_too_long", MESSAGE_TEXT_MESSAGE) from None
        raise Invalid("text_invalid", "Le message est vide ou contient des caractères interdits") from None


def keyed(session: Session, author_id: int, client_key: str | None) -> Message | None:
    """The message this author already wrote with this `Idempotency-Key`, if any. The author's
    user row is locked first (PostgreSQL; SQLite serialises writers), so two tries with one key
    never both write: the second waits for the first and finds its message."""
    if client_key is None:
        return None
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(User.id).where(User.id == author_id).with_for_update())
    return session.scalar(
        select(Message).where(Message.author_id == author_id, Message.client_key == client_key)
    )


def first_id(session: Session, thread_id: int) -> int | None:
    """The thread's first message (the one « Rédiger » wrote)."""
    return session.scalar(select(func.min(Message.id)).where(Message.thread_id == thread_id))


def key_reused() -> Invalid:
    return Invalid("idempotency_key_reused", "Cette clé d'idempotence a déjà servi pour un autre envoi")


def post(
    session: Session,
    place: Seat,
    author_id: int,
    author_name: str,
    text: str,
    files: Sequence[AttachmentUpload],
    now: datetime,
    client_key: str | None = None,
) -> MessageOut:
    """One message in the caller's thread (the seat taken with `lock=True`), its attachments, the
    thread's last message, the author's own read mark, and the feed event. With a `client_key`
    already used by the author in this thread, the message it wrote (nothing written again)."""
    thread = place.thread
    earlier = keyed(session, author_id, client_key)
    if earlier is not None:
        if earlier.thread_id != thread.id or earlier.text != text.strip():
            raise key_reused()
        return views(session, [earlier])[0]
    place.require_writer()
    body = checked_text(text, bool(files))
    checked = messaging_attachments.check(files)
    message = Message(thread_id=thread.id, author_id=author_id, text=body, at=now, client_key=client_key)
    session.add(message)
    session.flush()
    attachments = messaging_attachments.store(session, thread.id, message.id, checked)
    thread.last_message_id = message.id
    thread.last_message_at = now
    place.participant.last_read_message_id = message.id
    session.flush()
    event = MessagePosted(
        thread_id=thread.id,
        participant_ids=current_ids(session, thread.id),
        message_id=message.id,
        author_id=author_id,
    )
    feed.append_event(session, event, now)
    return MessageOut(
        id=message.id,
        thread_id=thread.id,
        author=PersonRef(id=author_id, name=author_name),
        text=body,
        at=now,
        attachments=attachments,
    )


def views(session: Session, messages: list[Message]) -> list[MessageOut]:
    """Messages with their authors' names and attachments, in two queries."""
    names = messaging_recipients.people(session, {m.author_id for m in messages})
    attachments = messaging_attachments.of_messages(session, [m.id for m in messages])
    return [
        MessageOut(
            id=m.id,
            thread_id=m.thread_id,
            author=PersonRef(id=m.author_id, name=names[m.author_id].name if m.author_id in names else ""),
            text=m.text,
            at=m.at,
            attachments=attachments.get(m.id, []),
        )
        for m in messages
    ]


def page(session: Session, place: Seat, before: int | None, after: int | None, limit: int) -> MessagePage:
    """Messages in ascending id order (see the module); `has_more`: more in the asked direction."""
    if before is not None and after is not None:
        raise Invalid("paging_ambiguous", "Demandez les messages avant ou après un message, pas les deux")
    limit = max(1, min(limit, MESSAGES_PAGE_MAX))
    if after is not None and after >= ROW_ID_MAX:
        return MessagePage(items=[], has_more=False)  # nothing lies above
    if before is not None and before > ROW_ID_MAX:
        before = None  # everything lies below: the newest
    query = select(Message).where(Message.thread_id == place.thread.id)
    cap = place.cap
    if cap is not None:
        query = query.where(Message.id <= cap)
    if after is not None:
        query = query.where(Message.id > after).order_by(Message.id)
    else:
        if before is not None:
            query = query.where(Message.id < before)
        query = query.order_by(Message.id.desc())
    found = list(session.scalars(query.limit(limit + 1)))
    has_more = len(found) > limit
    found = found[:limit]
    if after is None:
        found.reverse()
    return MessagePage(items=views(session, found), has_more=has_more)
