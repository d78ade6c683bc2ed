"""« Messagerie » (issue 20) without Qt: the caller's threads, how each line reads, and which
change-feed events are theirs.

The feed's messaging events name a thread and its current participants, never a patient
(shared/schemas/feed_activity.py): an event is kept when its ``participant_ids`` hold the user (or
it says the user left); the thread itself is then read through the API, where the access rules
and the audit apply. Every time is shown in Europe/Paris (``desktop/state/times.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop.state.times import PLATFORM_ZONE, clock_time, day_time, in_zone
from shared.schemas.feed import FeedEvent, MessagePosted, ThreadChange, ThreadParticipantsChanged, ThreadRead
from shared.schemas.messaging import PREVIEW_CHARS, MessageOut, ThreadOut, ThreadPage

TAB_TITLE = "Messagerie"
NO_SUBJECT = "(sans objet)"
NO_THREAD = "Aucune conversation. « Nouveau message » (Ctrl+Maj+N) pour en commencer une."
LEFT_NOTE = "vous avez quitté cette conversation"
ARCHIVED_NOTE = "archivée (lecture seule)"


def thread_of(event: FeedEvent, user_id: int) -> int | None:
    """The thread this event changes for ``user_id``, None when it is not theirs (or no thread's)."""
    payload = event.payload
    if not isinstance(payload, ThreadChange):
        return None
    if user_id in payload.participant_ids:
        return payload.thread_id
    if isinstance(payload, ThreadParticipantsChanged) and payload.left == user_id:
        return payload.thread_id  # the one who left gets this one event
    return None


def is_news_for(event: FeedEvent, user_id: int) -> bool:
    """A message someone else posted in one of the user's threads (what a notice is about)."""
    payload = event.payload
    return (
        isinstance(payload, MessagePosted)
        and payload.author_id != user_id
        and thread_of(event, user_id) is not None
    )


def others_read(event: FeedEvent, user_id: int) -> ThreadRead | None:
    """Another participant's read mark moved (« vu par »): applied without reading anything."""
    payload = event.payload
    if isinstance(payload, ThreadRead) and payload.user_id != user_id and user_id in payload.participant_ids:
        return payload
    return None


def tab_title(unread_threads: int) -> str:
    """« Messagerie » — with its badge: « Messagerie (3) » when 3 threads hold unread messages."""
    return f"{TAB_TITLE} ({unread_threads})" if unread_threads else TAB_TITLE


def short_time(at: datetime, now: datetime) -> str:
    """« 14:11 » today, « 08/08 14:11 » another day (Europe/Paris)."""
    if in_zone(at, PLATFORM_ZONE).date() == in_zone(now, PLATFORM_ZONE).date():
        return clock_time(at, PLATFORM_ZONE)[:5]  # « 14:11 »
    return day_time(at, PLATFORM_ZONE)


def preview(message: MessageOut | None, user_id: int) -> str:
    """The last message as the list shows it: who, then its start (attachments counted)."""
    if message is None:
        return ""
    who = "Vous" if message.author.id == user_id else message.author.name
    text = " ".join(message.text.split())
    if len(text) > PREVIEW_CHARS:
        text = text[: PREVIEW_CHARS - 1] + "…"
    files = len(message.attachments)
    clip = f" [{files} pièce{'s' if files > 1 else ''} jointe{'s' if files > 1 else ''}]" if files else ""
    return f"{who} : {text}{clip}"


def participants_text(thread: ThreadOut, user_id: int) -> str:
    """The others still in the thread, by name (« Vous seul » when everyone else left)."""
    names = [p.name for p in thread.participants if p.user_id != user_id and p.left_at is None]
    return ", ".join(names) if names else "Vous seul"


def patient_text(thread: ThreadOut) -> str:
    """« Patient : DUPONT Jeanne » when the caller may see the patient; nothing otherwise (a thread
    about a patient the caller may no longer see names nobody)."""
    if thread.patient is None or not thread.patient.name:
        return ""
    return f"Patient : {thread.patient.name}"


@dataclass(frozen=True)
class ThreadLine:
    thread_id: int
    subject: str
    participants: str
    patient: str
    last: str
    when: str
    unread: int
    notes: tuple[str, ...]

    def text(self) -> str:
        """The list item's text (its accessible name too)."""
        badge = f"[{self.unread} non lu{'s' if self.unread > 1 else ''}] " if self.unread else ""
        first = f"{badge}{self.subject} — {self.participants}"
        lines = [first + (f" — {self.patient}" if self.patient else ""), f"{self.when}  {self.last}"]
        if self.notes:
            lines.append(" ; ".join(self.notes))
        return "\n".join(lines)


def thread_line(thread: ThreadOut, user_id: int, now: datetime) -> ThreadLine:
    notes = tuple(note for flag, note in ((thread.left, LEFT_NOTE), (thread.archived, ARCHIVED_NOTE)) if flag)
    return ThreadLine(
        thread.id,
        thread.subject or NO_SUBJECT,
        participants_text(thread, user_id),
        patient_text(thread),
        preview(thread.last_message, user_id),
        short_time(thread.last_message_at, now),
        thread.unread,
        notes,
    )


class ThreadList:
    """The caller's threads, the most recent message first; the tab's badge counts those with an
    unread message."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.threads: dict[int, ThreadOut] = {}
        self.total = 0

    def load(self, page: ThreadPage) -> None:
        self.threads = {thread.id: thread for thread in page.items}
        self.total = page.total

    def put(self, thread: ThreadOut) -> None:
        if thread.id not in self.threads:
            self.total += 1
        self.threads[thread.id] = thread

    def drop(self, thread_id: int) -> None:
        if self.threads.pop(thread_id, None) is not None:
            self.total = max(0, self.total - 1)

    def get(self, thread_id: int) -> ThreadOut | None:
        return self.threads.get(thread_id)

    def ordered(self) -> list[ThreadOut]:
        return sorted(self.threads.values(), key=lambda t: (t.last_message_at, t.id), reverse=True)

    def read_up_to(self, thread_id: int, message_id: int) -> None:
        """This desktop marked the thread read: its badge goes at once (the server agrees)."""
        thread = self.threads.get(thread_id)
        if thread is not None and thread.last_message is not None and thread.last_message.id <= message_id:
            self.threads[thread_id] = thread.model_copy(update={"unread": 0})

    @property
    def unread_threads(self) -> int:
        return sum(1 for thread in self.threads.values() if thread.unread > 0)

    def lines(self, now: datetime) -> list[ThreadLine]:
        return [thread_line(thread, self.user_id, now) for thread in self.ordered()]
