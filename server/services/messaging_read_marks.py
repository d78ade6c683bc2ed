"""Read marks and unread counts (docs/messaging.md « Read marks »).

One mark per participant (`last_read_message_id`), never one row per message: a thread's unread
count is the number of messages of others above the caller's mark (and, after leaving, not above
their last readable message); « vu par » under a message is every participant whose mark is at
least its id. Counted for many threads at once in one grouped query.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from server.models import Message, Thread, ThreadParticipant
from server.services import feed
from server.services.messaging_threads import Seat, current_ids
from shared.schemas.feed_activity import ThreadRead
from shared.schemas.messaging import UnreadOut


def _unread_condition(user_id: int) -> ColumnElement[bool]:
    return and_(
        Message.author_id != user_id,
        Message.id > func.coalesce(ThreadParticipant.last_read_message_id, 0),
        or_(
            ThreadParticipant.left_at.is_(None),
            Message.id <= func.coalesce(ThreadParticipant.left_message_id, 0),
        ),
    )


def unread_by_thread(session: Session, user_id: int, thread_ids: Collection[int]) -> dict[int, int]:
    """The caller's unread count of each of these threads (absent: none)."""
    if not thread_ids:
        return {}
    rows = session.execute(
        select(Message.thread_id, func.count())
        .join(
            ThreadParticipant,
            and_(ThreadParticipant.thread_id == Message.thread_id, ThreadParticipant.user_id == user_id),
        )
        .where(Message.thread_id.in_(thread_ids), _unread_condition(user_id))
        .group_by(Message.thread_id)
    )
    return {thread_id: int(count) for thread_id, count in rows}


def unread(session: Session, user_id: int) -> UnreadOut:
    """The menu's badge: the caller's threads (not archived) with unread messages, and how many."""
    per_thread = (
        select(Message.thread_id, func.count().label("n"))
        .join(
            ThreadParticipant,
            and_(ThreadParticipant.thread_id == Message.thread_id, ThreadParticipant.user_id == user_id),
        )
        .join(Thread, Thread.id == Message.thread_id)
        .where(Thread.archived_at.is_(None), _unread_condition(user_id))
        .group_by(Message.thread_id)
        .subquery()
    )
    threads, messages = session.execute(
        select(func.count(), func.coalesce(func.sum(per_thread.c.n), 0)).select_from(per_thread)
    ).one()
    return UnreadOut(unread_threads=int(threads), unread_messages=int(messages))


def mark(session: Session, place: Seat, up_to_message_id: int, now: datetime) -> bool:
    """Moves the caller's mark up to this message (never back, never past what they may read);
    True when it moved (then the feed tells their other devices and « vu par »)."""
    limit = place.thread.last_message_id or 0
    if place.cap is not None:
        limit = min(limit, place.cap)
    target = min(up_to_message_id, limit)
    participant = place.participant
    if target <= (participant.last_read_message_id or 0):
        return False
    participant.last_read_message_id = target
    session.flush()
    event = ThreadRead(
        thread_id=place.thread.id,
        participant_ids=current_ids(session, place.thread.id),
        user_id=participant.user_id,
        up_to_message_id=target,
    )
    feed.append_event(session, event, now)
    return True
