"""Messaging (« Messagerie », issue 20): threads, messages, read marks, attachments (docs/messaging.md).

Thin: each route calls a use case of server/services/messaging_actions.py, which audits and refuses.
A thread and a message take JSON, or a multipart form with the same fields and 1–5 `files`.
No route edits or deletes a message: PUT, PATCH and DELETE of one answer 405 `message_immutable`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from server.api.body_limit import PathLimit
from server.api.context import Caller, RoleGuard
from server.api.json_object import json_object
from server.api.routes.acting import acting
from server.api.routes.exchanges import MULTIPART_ALLOWANCE
from server.http_download import file_download
from server.services import documents, messaging_actions, messaging_retention
from server.services.idempotency_keys import KEY_MAX, checked_key
from server.services.messaging_attachments import AttachmentUpload
from server.services.messaging_recipients import MESSAGING_ROLES
from shared.domain import Role
from shared.schemas.common import DB_INT_MAX
from shared.schemas.exchanges import DOCUMENT_MAX_BYTES, DOCUMENT_SIZE_MESSAGE
from shared.schemas.messaging import (
    ATTACHMENTS_PER_MESSAGE,
    MESSAGE_IMMUTABLE,
    MESSAGES_PAGE_DEFAULT,
    MESSAGES_PAGE_MAX,
    RECIPIENT_QUERY_MAX,
    THREADS_PAGE_MAX,
    MessageCreate,
    MessageOut,
    MessagePage,
    MessagingSettingsIn,
    MessagingSettingsOut,
    ParticipantsAdd,
    ReadMarkIn,
    RecipientOut,
    ThreadCreate,
    ThreadOut,
    ThreadPage,
    UnreadOut,
)

router = APIRouter(tags=["messaging"])
Writer = Annotated[Caller, Depends(RoleGuard(*MESSAGING_ROLES))]
Admin = Annotated[Caller, Depends(RoleGuard(Role.ADMIN))]
RecordId = Annotated[int | None, Query(ge=1, le=DB_INT_MAX)]
IdempotencyKey = Annotated[str | None, Header(max_length=KEY_MAX)]
FILES_FIELD = "files"
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")  # else the body is JSON
IMMUTABLE_MESSAGE = "Un message envoyé ne peut être ni modifié ni supprimé"


def upload_limits(api_prefix: str) -> list[PathLimit]:
    """A thread's first message and a message may carry five 2 Mo files (the request-body middleware)."""
    size = ATTACHMENTS_PER_MESSAGE * DOCUMENT_MAX_BYTES + MULTIPART_ALLOWANCE
    prefix = re.escape(api_prefix)
    return [
        PathLimit(
            "POST", re.compile(prefix + r"/threads/?"), size, "document_too_large", DOCUMENT_SIZE_MESSAGE
        ),
        PathLimit(
            "POST",
            re.compile(prefix + r"/threads/[^/]+/messages/?"),
            size,
            "document_too_large",
            DOCUMENT_SIZE_MESSAGE,
        ),
    ]


def _multipart(model: type[Any]) -> dict[str, Any]:
    described = (
        f"the same fields, and 1–{ATTACHMENTS_PER_MESSAGE} `{FILES_FIELD}` (JPG, PNG or PDF, 2 Mo each)"
    )
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": model.model_json_schema()},
                "multipart/form-data": {"schema": {"type": "object", "description": described}},
            },
        }
    }


async def _read_body(
    request: Request, lists: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[AttachmentUpload]]:
    """The fields and the files of a JSON or multipart request (a file read one byte past the
    limit, so that « too large » is told apart)."""
    files: list[AttachmentUpload] = []
    if request.headers.get("content-type", "").startswith(FORMS):
        form = await request.form(max_files=ATTACHMENTS_PER_MESSAGE + 1, max_fields=100)
        fields: dict[str, Any] = {  # an empty optional field of a form is an absent one
            k: (form.getlist(k) if k in lists else v)
            for k, v in form.items()
            if isinstance(v, str) and (v != "" or k == "text")
        }
        for upload in form.getlist(FILES_FIELD):
            if isinstance(upload, StarletteUpload):
                files.append(AttachmentUpload(await upload.read(DOCUMENT_MAX_BYTES + 1), upload.filename))
        return fields, files
    return await json_object(request), files


def _validated(model: type[Any], fields: dict[str, Any]) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc


@router.get("/messaging/recipients", response_model=list[RecipientOut])
def recipients(
    caller: Writer,
    q: Annotated[str, Query(max_length=RECIPIENT_QUERY_MAX)] = "",
    patient_id: RecordId = None,
    thread_id: RecordId = None,
) -> list[RecipientOut]:
    """People one may write to, by name (at least 3 letters); with a patient, only those who may
    see them. Never a phone number nor an e-mail address."""
    return messaging_actions.recipients(acting(caller), q, patient_id, thread_id)


@router.post("/threads", response_model=ThreadOut, status_code=201, openapi_extra=_multipart(ThreadCreate))
async def start_thread(request: Request, caller: Writer, idempotency_key: IdempotencyKey = None) -> ThreadOut:
    """« Rédiger »: 422 `recipient_unknown`; 403 `patient_not_visible` (audited) if someone may not
    see the thread's patient. Once per `Idempotency-Key`: a retry gets the thread the first try
    started."""
    key = checked_key(idempotency_key, "message")
    fields, files = await _read_body(request, lists=("participant_ids",))
    blank = bool(files) and not str(fields.get("text", "")).strip()  # a file may go without a text
    body: ThreadCreate = _validated(ThreadCreate, {**fields, "text": "-"} if blank else fields)
    if blank:
        body = body.model_copy(update={"text": ""})  # the use case checks it again, beside the files
    return await run_in_threadpool(messaging_actions.start_thread, acting(caller), body, files, key)


@router.get("/threads", response_model=ThreadPage)
def threads(
    caller: Writer,
    offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=THREADS_PAGE_MAX)] = 50,
    archived: bool = False,
) -> ThreadPage:
    return messaging_actions.threads(acting(caller), offset, limit, archived)


@router.get("/threads/unread", response_model=UnreadOut)
def unread(caller: Writer) -> UnreadOut:
    """The menu's badge."""
    return messaging_actions.unread(acting(caller))


@router.get("/threads/{thread_id}", response_model=ThreadOut)
def thread(thread_id: int, caller: Writer) -> ThreadOut:
    return messaging_actions.thread(acting(caller), thread_id)


@router.get("/threads/{thread_id}/messages", response_model=MessagePage)
def messages(
    thread_id: int,
    caller: Writer,
    before: RecordId = None,
    after: Annotated[int | None, Query(ge=0, le=DB_INT_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=MESSAGES_PAGE_MAX)] = MESSAGES_PAGE_DEFAULT,
) -> MessagePage:
    """Keyset pages in ascending id order: `before=` older, `after=` newer, neither the newest."""
    return messaging_actions.messages(acting(caller), thread_id, before, after, limit)


@router.post(
    "/threads/{thread_id}/messages",
    response_model=MessageOut,
    status_code=201,
    openapi_extra=_multipart(MessageCreate),
)
async def post_message(
    thread_id: int, request: Request, caller: Writer, idempotency_key: IdempotencyKey = None
) -> MessageOut:
    """403 `not_a_participant` after leaving; 409 `thread_archived`; 413/415/422 for an attachment.
    Once per `Idempotency-Key`: a retry gets the message the first try wrote."""
    key = checked_key(idempotency_key, "message")
    fields, files = await _read_body(request)
    blank = bool(files) and not str(fields.get("text", "")).strip()  # a file may go without a text
    text = "" if blank else _validated(MessageCreate, fields).text
    return await run_in_threadpool(messaging_actions.post, acting(caller), thread_id, text, files, key)


@router.get(
    "/threads/{thread_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in documents.EXTENSIONS}, "description": "Le fichier"}},
)
def download(thread_id: int, attachment_id: int, caller: Writer) -> Response:
    found = messaging_actions.download(acting(caller), thread_id, attachment_id)
    return file_download(found.data, found.filename, found.content_type)


@router.post("/threads/{thread_id}/read", status_code=204, response_class=Response)
def mark_read(thread_id: int, body: ReadMarkIn, caller: Writer) -> Response:
    messaging_actions.mark_read(acting(caller), thread_id, body.up_to_message_id)
    return Response(status_code=204)


@router.post("/threads/{thread_id}/participants", response_model=ThreadOut)
def add_participants(thread_id: int, body: ParticipantsAdd, caller: Writer) -> ThreadOut:
    """403 `patient_not_visible` (audited, with the person refused) in a patient thread."""
    return messaging_actions.add_participants(acting(caller), thread_id, body.user_ids)


@router.post("/threads/{thread_id}/leave", response_model=ThreadOut)
def leave(thread_id: int, caller: Writer) -> ThreadOut:
    """The caller's view afterwards (`left`: true): they read up to their leaving, write no more."""
    return messaging_actions.leave(acting(caller), thread_id)


MESSAGE_PATH = "/threads/{thread_id}/messages/{message_id}"


def _immutable() -> JSONResponse:
    """No message is edited nor deleted after sending (traceability): always 405."""
    return JSONResponse(status_code=405, content={"detail": IMMUTABLE_MESSAGE, "code": MESSAGE_IMMUTABLE})


@router.put(MESSAGE_PATH, status_code=405, response_class=JSONResponse)
def replace_message(thread_id: int, message_id: int, caller: Writer) -> JSONResponse:
    """Always 405 `message_immutable`."""
    return _immutable()


@router.patch(MESSAGE_PATH, status_code=405, response_class=JSONResponse)
def edit_message(thread_id: int, message_id: int, caller: Writer) -> JSONResponse:
    """Always 405 `message_immutable`."""
    return _immutable()


@router.delete(MESSAGE_PATH, status_code=405, response_class=JSONResponse)
def delete_message(thread_id: int, message_id: int, caller: Writer) -> JSONResponse:
    """Always 405 `message_immutable`."""
    return _immutable()


@router.get("/admin/messaging-settings", response_model=MessagingSettingsOut, tags=["admin"])
def read_settings(caller: Admin) -> MessagingSettingsOut:
    """The retention: a thread without a message for `retention_days` is archived (read-only)."""
    with caller.state.db.session() as session:
        return messaging_retention.current(session)


@router.put("/admin/messaging-settings", response_model=MessagingSettingsOut, tags=["admin"])
def write_settings(body: MessagingSettingsIn, caller: Admin) -> MessagingSettingsOut:
    """30 days to 100 years (422 otherwise)."""
    with caller.state.db.session() as session:
        saved = messaging_retention.replace(session, body, caller.principal, caller.state.clock.now())
        caller.audit(session, "messaging_settings_write", retention_days=saved.retention_days)
        return saved
