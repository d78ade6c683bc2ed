"""Comments and documents on a prescription (who may see them: server/services/exchanges.py).

Every read and write is audited as patient data; a refusal (403) is audited too, in a
transaction of its own since the refused one is rolled back. Writes and downloads are the use
cases of server/services/exchange_actions.py (the professionals' pages use them too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from server.api.body_limit import PathLimit
from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.errors import Forbidden
from server.http_download import file_download
from server.security.principal import STAFF
from server.services import documents, exchange_actions, exchanges
from shared.domain import Role
from shared.schemas.exchanges import (
    DOCUMENT_MAX_BYTES,
    DOCUMENT_NAME_MAX,
    DOCUMENT_SIZE_MESSAGE,
    CommentCreate,
    CommentOut,
    DocumentOut,
)

router = APIRouter(prefix="/prescriptions", tags=["exchanges"])
Participant = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.PROFESSIONAL))]

# Room for the multipart envelope (boundaries, part headers, the title) around a 2 Mo file.
MULTIPART_ALLOWANCE = 64 * 1024


def upload_limit(api_prefix: str) -> PathLimit:
    """The body limit of document uploads, for the request-body middleware."""
    return PathLimit(
        method="POST",
        path=re.compile(re.escape(api_prefix) + r"/prescriptions/[^/]+/documents/?"),
        max_bytes=DOCUMENT_MAX_BYTES + MULTIPART_ALLOWANCE,
        code="document_too_large",
        detail=DOCUMENT_SIZE_MESSAGE,
    )


@contextmanager
def denials_audited(caller: Caller, attempted: str, **detail: Any) -> Iterator[None]:
    """Audit a refusal (Forbidden, a 403) raised inside the block, after the block's own transaction
    was rolled back."""
    try:
        yield
    except Forbidden as problem:
        with caller.state.db.session() as session:
            caller.audit(session, "forbidden", status=403, attempted=attempted, reason=problem.code, **detail)
        raise


@router.post("/{prescription_id}/comments", response_model=CommentOut, status_code=201)
def add_comment(prescription_id: int, body: CommentCreate, caller: Participant) -> CommentOut:
    return exchange_actions.comment(acting(caller), prescription_id, body)


@router.get("/{prescription_id}/comments", response_model=list[CommentOut])
def list_comments(prescription_id: int, caller: Participant) -> list[CommentOut]:
    with (
        denials_audited(caller, "prescription_comments", prescription_id=prescription_id),
        caller.state.db.session() as session,
    ):
        prescription = exchanges.get_prescription(session, prescription_id)
        comments = exchanges.list_comments(session, prescription, caller.principal)
        caller.audit(
            session,
            "prescription_comments",
            patient_id=prescription.case.patient_id,
            prescription_id=prescription_id,
        )
        return comments


@router.post("/{prescription_id}/documents", response_model=DocumentOut, status_code=201)
def add_document(
    prescription_id: int,
    caller: Participant,
    file: Annotated[UploadFile, File(description="JPG, PNG ou PDF, 2 Mo au plus")],
    title: Annotated[str | None, Form(max_length=DOCUMENT_NAME_MAX)] = None,
) -> DocumentOut:
    data = file.file.read(DOCUMENT_MAX_BYTES + 1)  # one byte more tells "too large" apart
    return exchange_actions.attach(acting(caller), prescription_id, data, file.filename, title)


@router.get("/{prescription_id}/documents", response_model=list[DocumentOut])
def list_documents(prescription_id: int, caller: Participant) -> list[DocumentOut]:
    with (
        denials_audited(caller, "prescription_documents", prescription_id=prescription_id),
        caller.state.db.session() as session,
    ):
        prescription = exchanges.get_prescription(session, prescription_id)
        found = documents.list_documents(session, prescription, caller.principal)
        caller.audit(
            session,
            "prescription_documents",
            patient_id=prescription.case.patient_id,
            prescription_id=prescription_id,
        )
        return found


@router.get(
    "/{prescription_id}/documents/{document_id}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in documents.EXTENSIONS}, "description": "Le fichier"}},
)
def download_document(prescription_id: int, document_id: int, caller: Participant) -> Response:
    found = exchange_actions.download(acting(caller), prescription_id, document_id)
    return file_download(found.data, found.filename, found.content_type)
