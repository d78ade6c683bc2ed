"""How the « Messagerie » pages word a thread: the people ticked in a form, who else is in it,
« vu par … » under a message, the last message's preview. Pure functions of the contract's models
(shared/schemas/messaging.py): no database, no request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.schemas.messaging import (
    PARTICIPANTS_MAX,
    PREVIEW_CHARS,
    MessageOut,
    RecipientOut,
    ThreadOut,
)

LABEL_MAX = 200  # a ticked person's label, carried by the form itself
NO_SUBJECT = "(sans objet)"


@dataclass(frozen=True)
class Picked:
    """Someone ticked in a form. The form carries « <id>|<label> » so that a search (with or
    without JavaScript) can show again who was ticked without another lookup; only the id is
    sent to the service, which checks it."""

    user_id: int
    label: str

    @property
    def value(self) -> str:
        return f"{self.user_id}|{self.label}"

    @classmethod
    def of(cls, recipient: RecipientOut) -> Picked:
        return cls(recipient.user_id, f"{recipient.name} — {recipient.detail}"[:LABEL_MAX])


def picked_of(values: Iterable[str]) -> list[Picked]:
    """The ticked people of a form, in order, once each; what is not « <id>|<label> » is dropped."""
    found: dict[int, Picked] = {}
    for value in values:
        head, _, label = value.partition("|")
        if not head.isdigit() or len(head) > 9 or not label.strip():
            continue
        user_id = int(head)
        if user_id >= 1 and user_id not in found:
            found[user_id] = Picked(user_id, label.strip()[:LABEL_MAX])
        if len(found) >= PARTICIPANTS_MAX:
            break
    return list(found.values())


def not_picked(found: Sequence[RecipientOut], picked: Sequence[Picked]) -> list[Picked]:
    chosen = {p.user_id for p in picked}
    return [Picked.of(r) for r in found if r.user_id not in chosen]


def subject(thread: ThreadOut) -> str:
    return thread.subject or NO_SUBJECT


def others(thread: ThreadOut, me: int) -> str:
    """« Marie DURAND, Paul MARTIN »: the people in the thread but me (those who left included)."""
    names = [p.name for p in thread.participants if p.user_id != me]
    return ", ".join(names) or "Vous seul"


def patient_label(thread: ThreadOut) -> str | None:
    """The patient's name for a reader allowed to see it, a neutral word otherwise."""
    if thread.patient is None:
        return None
    return thread.patient.name or "un patient (identité non visible pour vous)"


def preview(message: MessageOut | None) -> str:
    if message is None:
        return ""
    text = " ".join(message.text.split())
    if len(text) > PREVIEW_CHARS:
        text = text[: PREVIEW_CHARS - 1].rstrip() + "…"
    if message.attachments and not text:
        return "Pièce jointe"
    return text


def seen_by(thread: ThreadOut, messages: Sequence[MessageOut], me: int) -> dict[int, list[str]]:
    """« vu par … »: each other participant under the last message of the page they have read
    (their read mark), unless they wrote it. Messages ascending by id."""
    ids = [m.id for m in messages]
    authors = {m.id: m.author.id for m in messages}
    shown: dict[int, list[str]] = {}
    for person in thread.participants:
        mark = person.last_read_message_id
        if person.user_id == me or mark is None or not ids or mark < ids[0]:
            continue
        last_seen = max(i for i in ids if i <= mark)
        if authors[last_seen] != person.user_id:
            shown.setdefault(last_seen, []).append(person.name)
    return shown


def my_mark(thread: ThreadOut, me: int) -> int | None:
    for person in thread.participants:
        if person.user_id == me:
            return person.last_read_message_id
    return None


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
    return f"{max(1, round(size / 1024))} Ko"


FILTERS = {
    "thread_subject": subject,
    "thread_others": others,
    "thread_patient": patient_label,
    "preview": preview,
    "size_label": size_label,
}
