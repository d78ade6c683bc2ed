"""Public routes of enrolment (« S'enregistrer ») and of « Mot de passe oublié ». No account, so no
role guard: each step after the form proves it is the applicant's with the token the form's answer
gave (header `X-Registration-Token`); every answer is the same whether or not an account exists.
The rules: server/services/registrations.py, password_reset.py; the shapes: docs/server.md.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from server.api.body_limit import PathLimit
from server.api.context import app_state, origin_of
from server.api.json_object import json_object
from server.api.routes.exchanges import MULTIPART_ALLOWANCE
from server.services import password_reset, registrations
from server.services.visit import Visit, public_url
from shared.schemas.exchanges import DOCUMENT_MAX_BYTES, DOCUMENT_SIZE_MESSAGE
from shared.schemas.registrations import (
    EmailConfirmation,
    PhoneCode,
    RegistrationCreate,
    RegistrationCreated,
    RegistrationProgress,
    ResetConfirm,
    ResetRequest,
    ResetRequested,
)

router = APIRouter(tags=["enrolment"])
Token = Annotated[str | None, Header(alias="X-Registration-Token", max_length=200)]
DOCUMENT_FIELD = "document"


def upload_limits(api_prefix: str) -> list[PathLimit]:
    """The form with its document, and the document alone, may exceed the general body limit."""
    path = re.compile(re.escape(api_prefix) + r"/registrations(/[^/]+/documents)?/?")
    return [
        PathLimit(
            "POST",
            path,
            DOCUMENT_MAX_BYTES + MULTIPART_ALLOWANCE,
            "document_too_large",
            DOCUMENT_SIZE_MESSAGE,
        )
    ]


def visit_of(request: Request) -> Visit:
    state = app_state(request)
    return Visit(state.db, origin_of(request), state.clock.now(), public_url(str(request.base_url)))


def _form_body(fields: dict[str, Any]) -> RegistrationCreate:
    try:
        return RegistrationCreate.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc


@router.post(
    "/registrations",
    response_model=RegistrationCreated,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": RegistrationCreate.model_json_schema()},
                "multipart/form-data": {
                    "schema": {"type": "object", "description": "the same fields and `document`"}
                },
            }
        }
    },
)
async def register(request: Request) -> RegistrationCreated:
    """The form: JSON (the document then comes by `POST /registrations/{id}/documents`), or
    multipart with the same fields and the file in `document`."""
    document: bytes | None = None
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k != DOCUMENT_FIELD}
        upload = form.get(DOCUMENT_FIELD)
        if isinstance(upload, StarletteUpload):
            document = await upload.read(DOCUMENT_MAX_BYTES + 1)
        for name in ("network_name", "network_id"):
            if fields.get(name) == "":
                fields.pop(name)
    else:
        fields = await json_object(request)
    body = _form_body(fields)
    return await run_in_threadpool(registrations.register, visit_of(request), body, document)


@router.get("/registrations/{registration_id}", response_model=RegistrationProgress)
def read_progress(registration_id: int, request: Request, token: Token = None) -> RegistrationProgress:
    return registrations.read_progress(visit_of(request), registration_id, token)


@router.post("/registrations/{registration_id}/phone-code", response_model=RegistrationProgress)
def verify_phone(
    registration_id: int, body: PhoneCode, request: Request, token: Token = None
) -> RegistrationProgress:
    return registrations.verify_phone(visit_of(request), registration_id, token, body.code)


@router.post("/registrations/{registration_id}/phone-code/resend", response_model=RegistrationProgress)
def resend_code(registration_id: int, request: Request, token: Token = None) -> RegistrationProgress:
    return registrations.resend_code(visit_of(request), registration_id, token)


@router.post("/registrations/{registration_id}/documents", response_model=RegistrationProgress)
def attach_document(
    registration_id: int,
    request: Request,
    file: Annotated[
        UploadFile, File(description="Recto de la carte CPS ou attestation ADELI : JPG, PNG ou PDF, 2 Mo")
    ],
    token: Token = None,
) -> RegistrationProgress:
    data = file.file.read(DOCUMENT_MAX_BYTES + 1)
    return registrations.attach_document(visit_of(request), registration_id, token, data)


@router.post("/registrations/email", response_model=RegistrationProgress)
def confirm_email(body: EmailConfirmation, request: Request) -> RegistrationProgress:
    """What the e-mailed link's page does (the link itself opens /pro/inscription/email)."""
    return registrations.confirm_email(visit_of(request), body.token)


@router.post("/password-reset", response_model=ResetRequested, status_code=202)
def request_reset(body: ResetRequest, request: Request) -> ResetRequested:
    return password_reset.request_reset(visit_of(request), body)


@router.post("/password-reset/confirm", response_model=dict[str, str])
def confirm_reset(body: ResetConfirm, request: Request) -> dict[str, str]:
    return {"username": password_reset.confirm_reset(visit_of(request), body)}
