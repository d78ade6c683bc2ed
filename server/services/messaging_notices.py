"""A new message told to the thread's other participants (push, e-mail, SMS per their preferences
for the `message` event kind, quiet hours respected: server/notify/preferences.py).

Planned by the notifier from the feed's `message_posted` event (server/notify/planner.py), like every
other notification: only what committed is told. The notice names the author and the thread's
subject, never the message's text nor the patient (a lock screen is not a safe place). Only
professionals are told this way; the hotline's staff see new messages in their desktop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Thread, User
from server.notify.fanout import Batch, load_recipients, notify_users
from server.notify.messages import APP, Content
from shared.domain import Role

NOTICE_EVENT = "message"
SUBJECT_SHOWN = 60  # characters of the subject in a notice (an SMS stays one or two parts)


def thread_url(thread_id: int) -> str:
    """The professionals' page of a thread (server/web/pages/messaging.py)."""
    return f"/pro/messagerie/{thread_id}"


def content(thread_id: int, author: str, subject: str | None) -> Content:
    shown = (subject or "").strip()
    if len(shown) > SUBJECT_SHOWN:
        shown = shown[: SUBJECT_SHOWN - 1].rstrip() + "…"
    where = f" dans « {shown} »" if shown else ""
    return Content(
        title="Nouveau message",
        text=f"Nouveau message de {author}{where}.",
        url=thread_url(thread_id),
        subject=f"{APP} : nouveau message de {author}",
    )


def plan(session: Session, data: dict[str, Any], now: datetime, public_url: str, batch: Batch) -> int:
    """The deliveries of one `message_posted` event; how many are to be sent."""
    thread_id = int(data.get("thread_id") or 0)
    author_id = int(data.get("author_id") or 0)
    message_id = int(data.get("message_id") or 0)
    others = [int(u) for u in data.get("participant_ids") or () if int(u) != author_id]
    if not others:
        return 0
    found = session.execute(
        select(Thread.subject, User.display_name)
        .join(User, User.id == author_id)
        .where(Thread.id == thread_id)
    ).first()
    if found is None:
        return 0
    subject, author = found
    told = content(thread_id, author, subject)
    # The hotline's staff are told by their desktop (the tab's badge, a tray notice), not by push,
    # SMS or e-mail: they have no notification profile.
    professionals = session.scalars(
        select(User.id).where(User.id.in_(others), User.role == Role.PROFESSIONAL.value)
    ).all()
    people = load_recipients(session, list(professionals))
    return notify_users(
        session,
        [(person, told) for person in people.values()],
        event=NOTICE_EVENT,
        key=f"message:{message_id}",
        now=now,
        public_url=public_url,
        batch=batch,
    )
