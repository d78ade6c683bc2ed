"""The file the operator chose to attach, read from the disk and checked
(``desktop.state.attachments``) before anything is sent."""

from __future__ import annotations

from pathlib import Path

from desktop.state.attachments import Attachment, check_attachment, refused, size_text
from shared.schemas.exchanges import DOCUMENT_MAX_BYTES, DOCUMENT_SIZE_MESSAGE
from shared.validation import ValidationFailure


def read_attachment(path: Path) -> Attachment:
    """Reads a file chosen by the operator: a too large one is refused without being read whole."""
    try:
        size = path.stat().st_size
        if size > DOCUMENT_MAX_BYTES:
            raise refused(path.name, f"{DOCUMENT_SIZE_MESSAGE} ({size_text(size)})", "document_too_large")
        with path.open("rb") as handle:
            data = handle.read(DOCUMENT_MAX_BYTES + 1)
    except OSError as exc:
        raise ValidationFailure("document_unreadable", f"« {path.name} » illisible : {exc.strerror}") from exc
    return check_attachment(path.name, data)
