"""Documents attached to a prescription: JPG, PNG or PDF, 2 Mo at most, recognised by content.

Storage: the metadata is a row of `documents`, the bytes a row of `document_blobs`, in the same
database and the same transaction as the audit entry and the feed event. Why not files on disk:
one transactional store (a document exists exactly when its row does, nothing half-written to
clean up), included in the database backups the deployment already makes, and shared by several
server processes on different machines without a shared filesystem. At 2 Mo per file the database
handles the bytes well; the blob sits in its own table so listing documents never reads them.

Type: only the first bytes count (JPEG `FF D8 FF`, PNG `89 50 4E 47 0D 0A 1A 0A`, PDF `%PDF-`);
the declared content type and the file name's extension are ignored, and the stored name gets
the extension of what the content really is. Size: « Limitation à 2 Mo par fichier » is read as
2 MiB (2 × 1024 × 1024 bytes), what file managers display as « 2 Mo »; see
shared/schemas/exchanges.py. The request-body middleware refuses far larger uploads before
reading them (server/api/body_limit.py); the exact rule is enforced here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Invalid, TooLarge, UnsupportedType, not_found
from server.models import Document, DocumentBlob, Prescription
from server.security.principal import Principal
from server.services import feed
from server.services.answers import locked
from server.services.exchanges import author_names, require_document_access, timeline_line
from shared.schemas.dispatch import PersonRef
from shared.schemas.exchanges import (
    DOCUMENT_MAX_BYTES,
    DOCUMENT_NAME_MAX,
    DOCUMENT_SIZE_MESSAGE,
    DOCUMENT_TYPES_MESSAGE,
    DocumentOut,
)
from shared.schemas.feed import PatientDocument, PrescriptionDocumentAdded

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
_KNOWN_SUFFIXES = (".jpeg", ".jpg", ".png", ".pdf")


def detect_type(data: bytes) -> str | None:
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def check_content(data: bytes) -> str:
    """The content type of an acceptable document; 422, 413 or 415 otherwise."""
    if not data:
        raise Invalid("document_empty", "Le fichier est vide")
    if len(data) > DOCUMENT_MAX_BYTES:
        raise TooLarge("document_too_large", DOCUMENT_SIZE_MESSAGE)
    content_type = detect_type(data)
    if content_type is None:
        raise UnsupportedType("unsupported_media_type", DOCUMENT_TYPES_MESSAGE)
    return content_type


def clean_filename(raw: str | None, content_type: str) -> str:
    """No directory, no control character, at most 200 characters, the content's extension."""
    name = re.split(r"[\\/]", unicodedata.normalize("NFC", raw or ""))[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    name = " ".join(name.split()).strip(" .")
    for suffix in _KNOWN_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)].rstrip(" .")
            break
    extension = EXTENSIONS[content_type]
    return (name or "document")[: DOCUMENT_NAME_MAX - len(extension)] + extension


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name) or "document"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _out(document: Document, name: str) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        prescription_id=document.prescription_id,
        filename=document.filename,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        author=PersonRef(id=document.user_id, name=name),
        at=document.at,
    )


def add_document(
    session: Session,
    prescription_id: int,
    data: bytes,
    filename: str | None,
    title: str | None,
    by: Principal,
    now: datetime,
) -> tuple[DocumentOut, int]:
    """The stored document and the patient it concerns (for the audit)."""
    prescription = locked(session, prescription_id)
    require_document_access(session, prescription, by)
    content_type = check_content(data)
    # « Le titre utilisé sera le nom du fichier » (seeds): a title, when given, names the file.
    name = clean_filename(title if title and title.strip() else filename, content_type)
    document = Document(
        prescription_id=prescription.id,
        user_id=by.id,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        at=now,
    )
    session.add(document)
    session.flush()
    session.add(DocumentBlob(document_id=document.id, data=data))
    session.flush()
    timeline_line(
        session,
        prescription,
        now,
        PatientDocument,
        f"Document ajouté par {by.display_name} : {name}",
        by,
        document_id=document.id,
    )
    added = PrescriptionDocumentAdded(
        document_id=document.id, user_id=by.id, content_type=content_type, size=len(data)
    )
    feed.append_prescription_event(session, prescription, added, now)
    return _out(document, by.display_name), prescription.case.patient_id


def list_documents(session: Session, prescription: Prescription, principal: Principal) -> list[DocumentOut]:
    require_document_access(session, prescription, principal)
    documents = list(
        session.scalars(
            select(Document)
            .where(Document.prescription_id == prescription.id)
            .order_by(Document.at, Document.id)
        )
    )
    names = author_names(session, {d.user_id for d in documents})
    return [_out(d, names.get(d.user_id, "")) for d in documents]


def read_document(
    session: Session, prescription: Prescription, document_id: int, principal: Principal
) -> tuple[Document, bytes]:
    require_document_access(session, prescription, principal)
    document = session.get(Document, document_id)
    if document is None or document.prescription_id != prescription.id:
        raise not_found("Document")
    blob = session.get(DocumentBlob, document_id)
    assert blob is not None  # written in the same transaction as the document
    return document, bytes(blob.data)
