"""A file the operator attaches to a prescription, checked before it is sent.

The server checks the same rules (type by content, 2 Mo at most: ``server/services/documents.py``);
checking here first gives the refusal at once, names the file, and sends nothing for nothing.
Reading the chosen file is ``desktop.services.attachments.read_attachment``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.schemas.exchanges import DOCUMENT_MAX_BYTES, DOCUMENT_SIZE_MESSAGE, DOCUMENT_TYPES_MESSAGE
from shared.validation import ValidationFailure

# The first bytes that identify each accepted type (the server's list, whatever name or
# declared type a file has).
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
FILE_DIALOG_FILTER = "Documents (*.pdf *.jpg *.jpeg *.png);;Tous les fichiers (*)"
EMPTY_MESSAGE = "Le fichier est vide"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def detect_type(data: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def size_text(size: int) -> str:
    """« 2,5 Mo », « 320 Ko », « 12 octets » (file managers' binary units, French decimals)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
    if size >= 1024:
        return f"{round(size / 1024)} Ko"
    return f"{size} octets"


def refused(filename: str, why: str, code: str) -> ValidationFailure:
    return ValidationFailure(code, f"« {filename} » refusé : {why}")


def check_attachment(filename: str, data: bytes) -> Attachment:
    """The attachment as it will be sent, or ``ValidationFailure`` with the French refusal."""
    if not data:
        raise refused(filename, EMPTY_MESSAGE, "document_empty")
    if len(data) > DOCUMENT_MAX_BYTES:
        raise refused(filename, f"{DOCUMENT_SIZE_MESSAGE} ({size_text(len(data))})", "document_too_large")
    content_type = detect_type(data)
    if content_type is None:
        raise refused(filename, DOCUMENT_TYPES_MESSAGE, "unsupported_media_type")
    return Attachment(filename, content_type, data)


def safe_filename(name: str) -> str:
    """A name to save a downloaded document under: no directory part, no control character."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable()).strip(" .")
    return cleaned or "document"
