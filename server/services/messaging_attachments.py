"""A message's attachments: checked exactly as a prescription's documents are (JPG, PNG or PDF by
content, 2 Mio each: server/services/documents.py), five per message, stored like them (metadata row
+ blob row, in the message's transaction)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Invalid, not_found
from server.models import MessageAttachment, MessageAttachmentBlob
from server.models.messaging import ROW_ID_MAX
from server.services.documents import check_content, clean_filename
from server.services.messaging_threads import Seat
from shared.schemas.messaging import ATTACHMENTS_MESSAGE, ATTACHMENTS_PER_MESSAGE, AttachmentOut


@dataclass(frozen=True)
class AttachmentUpload:
    """A file as a front end received it: its bytes and the name the sender gave (or none)."""

    data: bytes
    filename: str | None


@dataclass(frozen=True)
class Checked:
    data: bytes
    filename: str
    content_type: str


def check(files: Sequence[AttachmentUpload]) -> list[Checked]:
    """Every file acceptable, or the first refusal (413, 415, 422 as for documents)."""
    if len(files) > ATTACHMENTS_PER_MESSAGE:
        raise Invalid("attachments_too_many", ATTACHMENTS_MESSAGE)
    checked = []
    for upload in files:
        content_type = check_content(upload.data)
        checked.append(Checked(upload.data, clean_filename(upload.filename, content_type), content_type))
    return checked


def _out(row: MessageAttachment) -> AttachmentOut:
    return AttachmentOut(
        id=row.id, filename=row.filename, content_type=row.content_type, size=row.size, sha256=row.sha256
    )


def store(session: Session, thread_id: int, message_id: int, files: list[Checked]) -> list[AttachmentOut]:
    stored = []
    for file in files:
        row = MessageAttachment(
            message_id=message_id,
            thread_id=thread_id,
            filename=file.filename,
            content_type=file.content_type,
            size=len(file.data),
            sha256=hashlib.sha256(file.data).hexdigest(),
        )
        session.add(row)
        session.flush()
        session.add(MessageAttachmentBlob(attachment_id=row.id, data=file.data))
        stored.append(_out(row))
    session.flush()
    return stored


def of_messages(session: Session, message_ids: Collection[int]) -> dict[int, list[AttachmentOut]]:
    """Each message's attachments (metadata only), in one query."""
    if not message_ids:
        return {}
    found: dict[int, list[AttachmentOut]] = {}
    rows = session.scalars(
        select(MessageAttachment)
        .where(MessageAttachment.message_id.in_(message_ids))
        .order_by(MessageAttachment.id)
    )
    for row in rows:
        found.setdefault(row.message_id, []).append(_out(row))
    return found


def read(session: Session, place: Seat, attachment_id: int) -> tuple[MessageAttachment, bytes]:
    """An attachment of this thread the caller may read (up to their leaving); 404 otherwise."""
    row = session.get(MessageAttachment, attachment_id) if 0 < attachment_id <= ROW_ID_MAX else None
    cap = place.cap
    if row is None or row.thread_id != place.thread.id or (cap is not None and row.message_id > cap):
        raise not_found("Pièce jointe")
    blob = session.get(MessageAttachmentBlob, attachment_id)
    assert blob is not None  # written in the same transaction as its row
    return row, bytes(blob.data)
