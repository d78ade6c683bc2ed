"""One open thread without Qt: its messages in id order (pages merged, never twice), « Messages
précédents », « vu par » from the participants' read marks, and the read mark to send.

Messages are never edited nor deleted (docs/messaging.md): a message once held is final, so pages
and live arrivals only add. Paging is keyset on the id: ``before=`` the oldest held for older
ones, ``after=`` the newest held for newer ones — no gap, no duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop.state.attachments import size_text
from desktop.state.messaging import participants_text, patient_text
from desktop.state.times import PLATFORM_ZONE, date_time
from shared.schemas.messaging import AttachmentOut, MessageOut, MessagePage, ThreadOut

OLDER_LABEL = "Messages précédents"
READ_ONLY_LEFT = "Vous avez quitté cette conversation : vous lisez ce qui a été écrit jusqu'à votre départ."
READ_ONLY_ARCHIVED = "Conversation archivée (sans message depuis la durée de conservation) : lecture seule."


@dataclass(frozen=True)
class MessageLine:
    message_id: int
    header: str  # « Dr Martin — 08/08/2022 14:11 »
    text: str
    attachments: tuple[AttachmentOut, ...]
    seen_by: str  # « Vu par Jeanne Dupont, … » (empty: nobody else yet)
    mine: bool


def attachment_text(attachment: AttachmentOut) -> str:
    return f"{attachment.filename} ({size_text(attachment.size)})"


class OpenThread:
    def __init__(self, thread: ThreadOut, user_id: int) -> None:
        self.thread = thread
        self.user_id = user_id
        self.messages: dict[int, MessageOut] = {}
        self.has_older = False
        self.loaded = False  # the first page arrived

    # ---- what arrives -----------------------------------------------------------------------------
    def set_thread(self, thread: ThreadOut) -> None:
        self.thread = thread

    def first_page(self, page: MessagePage) -> None:
        """The newest messages (no ``before``, no ``after``)."""
        self.add(page.items)
        self.has_older = page.has_more
        self.loaded = True

    def older_page(self, page: MessagePage) -> None:
        self.add(page.items)
        self.has_older = page.has_more

    def add(self, messages: list[MessageOut]) -> list[MessageOut]:
        """Adds what is not held yet; returns those, in id order."""
        fresh = [m for m in messages if m.thread_id == self.thread.id and m.id not in self.messages]
        for message in fresh:
            self.messages[message.id] = message
        return sorted(fresh, key=lambda m: m.id)

    def read_mark(self, user_id: int, up_to_message_id: int) -> None:
        """A participant's mark moved (never backwards)."""
        participants = []
        for p in self.thread.participants:
            if p.user_id == user_id and (p.last_read_message_id or 0) < up_to_message_id:
                p = p.model_copy(update={"last_read_message_id": up_to_message_id})
            participants.append(p)
        self.thread = self.thread.model_copy(update={"participants": participants})

    # ---- keys of the next reads ------------------------------------------------------------------
    @property
    def oldest_id(self) -> int | None:
        return min(self.messages) if self.messages else None

    @property
    def newest_id(self) -> int | None:
        return max(self.messages) if self.messages else None

    def ordered(self) -> list[MessageOut]:
        return [self.messages[key] for key in sorted(self.messages)]

    def my_mark(self) -> int:
        for p in self.thread.participants:
            if p.user_id == self.user_id:
                return p.last_read_message_id or 0
        return 0

    def mark_to_send(self) -> int | None:
        """The newest message held when it is past the user's read mark (« lu jusqu'ici »), else
        None: nothing to send. A thread the user left or that is archived is still marked (the
        badge goes)."""
        newest = self.newest_id
        if newest is None or newest <= self.my_mark():
            return None
        return newest

    def marked(self, up_to_message_id: int) -> None:
        self.read_mark(self.user_id, up_to_message_id)
        self.thread = self.thread.model_copy(update={"unread": 0})

    # ---- how it reads -----------------------------------------------------------------------------
    @property
    def writable(self) -> bool:
        return not self.thread.left and not self.thread.archived

    def read_only_note(self) -> str:
        if self.thread.left:
            return READ_ONLY_LEFT
        if self.thread.archived:
            return READ_ONLY_ARCHIVED
        return ""

    def header(self) -> str:
        subject = self.thread.subject or "(sans objet)"
        parts = [subject, f"Avec : {participants_text(self.thread, self.user_id)}"]
        patient = patient_text(self.thread)
        if patient:
            parts.append(patient)
        if self.thread.prescription_id is not None:
            parts.append(f"Demande n° {self.thread.prescription_id}")
        return " — ".join(parts)

    def seen_marks(self) -> dict[int, list[str]]:
        """« Vu par »: each other participant under the newest message held that they read (and did
        not write), so a name shows once, where their reading stopped."""
        found: dict[int, list[str]] = {}
        ids = sorted(self.messages)
        for p in self.thread.participants:
            mark = p.last_read_message_id or 0
            read = [i for i in ids if i <= mark and self.messages[i].author.id != p.user_id]
            if read and p.user_id != self.user_id:
                found.setdefault(read[-1], []).append(p.name)
        return found

    def author_name(self, message: MessageOut) -> str:
        return "Vous" if message.author.id == self.user_id else message.author.name

    def lines(self) -> list[MessageLine]:
        seen = self.seen_marks()
        return [
            MessageLine(
                message.id,
                f"{self.author_name(message)} — {when(message.at)}",
                message.text,
                tuple(message.attachments),
                f"Vu par {', '.join(seen[message.id])}" if message.id in seen else "",
                message.author.id == self.user_id,
            )
            for message in self.ordered()
        ]


def when(at: datetime) -> str:
    return date_time(at, PLATFORM_ZONE)
