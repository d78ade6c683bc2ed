"""« Nouveau message » and the compose box without Qt: the name search (at least 3 letters), the
people ticked, the text and attachments checked before anything is sent (the server checks again).

What is typed is never lost: a refusal or an unreachable server leaves the text and the files in
the box with the French message (``desktop/services/messaging.py`` says why not the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop.state.attachments import Attachment
from shared.domain import Role
from shared.schemas.messaging import (
    ATTACHMENTS_MESSAGE,
    ATTACHMENTS_PER_MESSAGE,
    MESSAGE_TEXT_MAX,
    MESSAGE_TEXT_MESSAGE,
    PARTICIPANTS_MAX,
    PARTICIPANTS_MESSAGE,
    QUERY_MESSAGE,
    RECIPIENT_QUERY_MAX,
    RECIPIENT_QUERY_MIN,
    SUBJECT_MAX,
    RecipientOut,
)

TEXT_REQUIRED = "Écrivez le message"
NOBODY_TICKED = "Cochez au moins un destinataire"
SUBJECT_TOO_LONG = f"Objet de {SUBJECT_MAX} caractères au plus"
NUL_REFUSED = "Caractère invalide dans le message"
NOBODY_FOUND = "Personne de ce nom parmi les utilisateurs à qui vous pouvez écrire"


class ComposeRefused(Exception):
    """The form as it is cannot be sent; ``errors`` are French messages by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def search_query(typed: str) -> str | None:
    """The name to search, or None while fewer than 3 letters are typed (nothing is asked then)."""
    query = " ".join(typed.split())[:RECIPIENT_QUERY_MAX]
    letters = sum(1 for char in query if char.isalpha())
    return query if letters >= RECIPIENT_QUERY_MIN else None


def search_hint(typed: str) -> str:
    return "" if search_query(typed) is not None else QUERY_MESSAGE


def recipient_text(person: RecipientOut) -> str:
    """« DUPONT Jeanne — Infirmier, Évry » (never a phone number: the API gives none)."""
    return f"{person.name} — {person.detail}" if person.detail else person.name


def role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


def check_text(text: str, attachments: list[Attachment] | None = None) -> dict[str, str]:
    """``attachments``: the compose box's files (a photo alone needs no text); None: a text is due
    (a thread's first message)."""
    errors: dict[str, str] = {}
    if not text.strip() and not attachments:
        errors["text"] = TEXT_REQUIRED
    elif len(text) > MESSAGE_TEXT_MAX:
        errors["text"] = f"{MESSAGE_TEXT_MESSAGE} ({len(text)} saisis)"
    elif "\x00" in text:
        errors["text"] = NUL_REFUSED
    if attachments is not None and len(attachments) > ATTACHMENTS_PER_MESSAGE:
        errors["files"] = ATTACHMENTS_MESSAGE
    return errors


@dataclass
class Recipients:
    """The people ticked in « Nouveau message » (or to add to a thread), in the order ticked."""

    ticked: dict[int, RecipientOut] = field(default_factory=dict)
    limit: int = PARTICIPANTS_MAX - 1  # the author is the last place

    def tick(self, person: RecipientOut, on: bool = True) -> str | None:
        """Ticks or unticks; returns the French refusal when the thread would be too large."""
        if not on:
            self.ticked.pop(person.user_id, None)
            return None
        if person.user_id not in self.ticked and len(self.ticked) >= self.limit:
            return PARTICIPANTS_MESSAGE
        self.ticked[person.user_id] = person
        return None

    def is_ticked(self, user_id: int) -> bool:
        return user_id in self.ticked

    @property
    def ids(self) -> list[int]:
        return list(self.ticked)

    def names(self) -> str:
        return ", ".join(person.name for person in self.ticked.values())


@dataclass
class NewThread:
    """« Rédiger »: who, about what, the first message. ``prescription_id`` / ``patient_id`` fix
    what the thread is about (from a request's details); then only people who may see the patient
    are offered (the search passes ``patient_id``)."""

    recipients: Recipients = field(default_factory=Recipients)
    subject: str = ""
    text: str = ""
    patient_id: int | None = None
    prescription_id: int | None = None

    def body(self) -> dict[str, Any]:
        """The ``ThreadCreate`` JSON, or ``ComposeRefused``."""
        errors = check_text(self.text)
        if not self.recipients.ids:
            errors["recipients"] = NOBODY_TICKED
        subject = " ".join(self.subject.split())
        if len(subject) > SUBJECT_MAX:
            errors["subject"] = SUBJECT_TOO_LONG
        if errors:
            raise ComposeRefused(errors)
        body: dict[str, Any] = {
            "participant_ids": self.recipients.ids,
            "subject": subject or None,
            "text": self.text,
        }
        if self.prescription_id is not None:
            body["prescription_id"] = self.prescription_id
        elif self.patient_id is not None:
            body["patient_id"] = self.patient_id
        return body
