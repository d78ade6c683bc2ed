"""The messaging contract (« Messagerie », issue 20): threads between registered users, their
messages, attachments and read marks. `docs/messaging.md` gives the routes and the decisions.

Every part keeps these names: the server's routes answer them, the web app renders them, the desktop
reads them. Nothing here carries a phone number or an e-mail address: people are found by name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from shared.schemas.common import (
    DB_INT_MAX,
    LONG_TEXT_MAX,
    ApiModel,
    BlankIsNone,
    PersonRef,
    RequiredText,
)

# --- limits (each stated to the user in French where it can be met) ---
MESSAGE_TEXT_MAX = LONG_TEXT_MAX  # 4,000 characters, as a comment on a request
SUBJECT_MAX = 120
PARTICIPANTS_MAX = 20  # the author included
RECIPIENT_QUERY_MIN = 3  # « au moins 3 lettres »
RECIPIENT_QUERY_MAX = 60
RECIPIENTS_SHOWN = 20
ATTACHMENTS_PER_MESSAGE = 5
MESSAGES_PAGE_MAX = 200
MESSAGES_PAGE_DEFAULT = 50
THREADS_PAGE_MAX = 100
PREVIEW_CHARS = 120  # the thread list's last-message preview

MESSAGE_TEXT_MESSAGE = f"Message de {MESSAGE_TEXT_MAX} caractères au plus"
PARTICIPANTS_MESSAGE = f"{PARTICIPANTS_MAX} participants au plus par conversation"
QUERY_MESSAGE = f"Saisissez au moins {RECIPIENT_QUERY_MIN} lettres du nom"
ATTACHMENTS_MESSAGE = f"{ATTACHMENTS_PER_MESSAGE} pièces jointes au plus par message"

# Machine codes of the refusals (the `code` of the error body; the French message goes beside it).
THREAD_NOT_FOUND = "thread_not_found"  # 404: unknown, or the caller was never a participant
NOT_A_PARTICIPANT = "not_a_participant"  # 403: left the thread (they may still read up to leaving)
RECIPIENT_UNKNOWN = "recipient_unknown"  # 422: not an active user one may write to
PATIENT_NOT_VISIBLE = "patient_not_visible"  # 403: a participant may not see the thread's patient
THREAD_ARCHIVED = "thread_archived"  # 409: past retention, read-only
MESSAGE_IMMUTABLE = "message_immutable"  # 405: no edit, no delete (traceability)

Subject = Annotated[str | None, Field(max_length=SUBJECT_MAX), BlankIsNone]
MessageText = RequiredText  # required, 4,000 characters at most, NUL refused (ApiModel)
UserId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


class RecipientOut(BaseModel):
    """A person one may write to, as the « Nouveau message » search shows them: never a phone
    number nor an e-mail. `detail` is the profession and commune for a professional, the role's
    label (« Opérateur de la centrale », « Superviseur ») for the hotline's staff."""

    user_id: int
    name: str
    role: str  # shared.domain.Role value
    detail: str


class ThreadCreate(ApiModel):
    """« Rédiger »: the participants ticked (the author is added by the server), a subject, the
    first message, and optionally what the thread is about: a patient, or a request (then the
    patient is the request's)."""

    participant_ids: list[UserId] = Field(min_length=1, max_length=PARTICIPANTS_MAX - 1)
    subject: Subject = None
    text: MessageText
    patient_id: UserId | None = None
    prescription_id: UserId | None = None

    @field_validator("participant_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        return list(dict.fromkeys(value))


class ParticipantsAdd(ApiModel):
    user_ids: list[UserId] = Field(min_length=1, max_length=PARTICIPANTS_MAX - 1)


class MessageCreate(ApiModel):
    """A text message (JSON). A message with attachments is a multipart form with the same `text`
    field and 1–5 `files` (JPG/PNG/PDF, 2 Mo each, checked by content as documents are)."""

    text: MessageText


class ReadMarkIn(ApiModel):
    """« Lu jusqu'ici »: marks never go backwards (a lower id is accepted and changes nothing)."""

    up_to_message_id: UserId


class ThreadPatient(BaseModel):
    """The patient a thread is about. `name` is None for a participant not allowed to see it (a
    participant who lost access since, e.g. a request taken back); `id` is always given."""

    id: int
    name: str | None


class ParticipantOut(BaseModel):
    user_id: int
    name: str
    role: str
    detail: str
    joined_at: datetime
    left_at: datetime | None  # left the thread: kept in the list, greyed
    # Their read mark: « vu par » under a message is every participant whose mark is at least its id.
    last_read_message_id: int | None


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class MessageOut(BaseModel):
    id: int  # increasing within the whole platform: the paging key
    thread_id: int
    author: PersonRef
    text: str
    at: datetime
    attachments: list[AttachmentOut]


class ThreadOut(BaseModel):
    """A thread as the list and the thread's header show it, for the caller."""

    id: int
    subject: str | None
    patient: ThreadPatient | None
    prescription_id: int | None
    created_by: PersonRef
    created_at: datetime
    participants: list[ParticipantOut]
    last_message: MessageOut | None
    last_message_at: datetime
    unread: int  # messages of others after the caller's read mark
    left: bool  # the caller left: read-only up to their leaving
    archived: bool  # past retention: read-only


class ThreadPage(BaseModel):
    items: list[ThreadOut]
    total: int
    unread_threads: int  # the menu's badge: threads with at least one unread message


class MessagePage(BaseModel):
    """Messages in ascending id order. Ask `before=<id>` for older ones (the page is the newest
    `limit` below it) or `after=<id>` for newer ones (the oldest `limit` above it); neither gives
    the newest. `has_more`: there are more in the asked direction. Keyset paging: messages arriving
    meanwhile never shift a page, so a reader never sees a gap nor a message twice."""

    items: list[MessageOut]
    has_more: bool


class UnreadOut(BaseModel):
    unread_threads: int
    unread_messages: int


class MessagingSettingsOut(BaseModel):
    """The platform's retention: a thread with no message for `retention_days` is archived
    (read-only, out of the default list, kept for the audit)."""

    retention_days: int


class MessagingSettingsIn(ApiModel):
    retention_days: int = Field(ge=30, le=36500)


__all__ = [
    "ATTACHMENTS_MESSAGE",
    "ATTACHMENTS_PER_MESSAGE",
    "MESSAGES_PAGE_DEFAULT",
    "MESSAGES_PAGE_MAX",
    "MESSAGE_IMMUTABLE",
    "MESSAGE_TEXT_MAX",
    "MESSAGE_TEXT_MESSAGE",
    "NOT_A_PARTICIPANT",
    "PARTICIPANTS_MAX",
    "PARTICIPANTS_MESSAGE",
    "PATIENT_NOT_VISIBLE",
    "PREVIEW_CHARS",
    "QUERY_MESSAGE",
    "RECIPIENTS_SHOWN",
    "RECIPIENT_QUERY_MAX",
    "RECIPIENT_QUERY_MIN",
    "RECIPIENT_UNKNOWN",
    "SUBJECT_MAX",
    "THREADS_PAGE_MAX",
    "THREAD_ARCHIVED",
    "THREAD_NOT_FOUND",
    "AttachmentOut",
    "MessageCreate",
    "MessageOut",
    "MessagePage",
    "MessagingSettingsIn",
    "MessagingSettingsOut",
    "ParticipantOut",
    "ParticipantsAdd",
    "ReadMarkIn",
    "RecipientOut",
    "ThreadCreate",
    "ThreadOut",
    "ThreadPage",
    "ThreadPatient",
    "UnreadOut",
]
