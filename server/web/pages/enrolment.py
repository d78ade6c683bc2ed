"""« S'enregistrer »: the public form, the SMS code page, the e-mailed link's page.

No session exists yet: the forms carry the login page's double-submit token and the Origin check
(server/web/pages/access.py). After the form, a cookie holds the registration's id and the
applicant's token (server/services/registrations.py): the code page works only in the browser
that sent the form. The rules are the services'; a refusal shows the form again with the French
message and what was typed (never the password nor the file).
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from server.errors import DomainError
from server.models import Network
from server.services import registrations
from server.services.visit import Visit, public_url
from server.web.communes import code_of, label, suggestions
from server.web.context import PREFIX, origin_of, web_of
from server.web.errors import first_error, status_of
from server.web.guard import audit_refusal, same_site
from server.web.pages.access import FORM_EXPIRED, LOGIN_COOKIE, LOGIN_FIELD
from server.web.pages.common import drop_cookie, see_other, set_cookie
from server.web.render import html
from shared.domain import PROFESSIONS
from shared.schemas.exchanges import DOCUMENT_MAX_BYTES
from shared.schemas.registrations import STATUS_LABELS, RegistrationCreate
from shared.validation.enrolment import RPPS_PROFESSIONS

router = APIRouter()

ENROLMENT_UPLOAD_PATH = re.compile(rf"{PREFIX}/inscription/?")
REGISTRATION_COOKIE = "centrale_inscription"
CODE_PAGE = f"{PREFIX}/inscription/code"
TEXT_FIELDS = (
    "type_identifiant",
    "identifiant",
    "nom",
    "prenom",
    "profession",
    "commune",
    "adresse",
    "telephone",
    "email",
    "reseau",
)


def visit_of(request: Request) -> Visit:
    web = web_of(request)
    return Visit(web.db, origin_of(request), web.now(), public_url(str(request.base_url).split(PREFIX)[0]))


def public_page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page before any session, with a fresh double-submit token for its forms."""
    token = secrets.token_urlsafe(24)
    response = html(template, status=status, login_token=token, **context)
    set_cookie(response, request, LOGIN_COOKIE, token, max_age=3600)
    return response


def genuine(request: Request, form: FormData) -> bool:
    """The form's token is the cookie's, and the browser says it comes from here."""
    field, cookie = form.get(LOGIN_FIELD), request.cookies.get(LOGIN_COOKIE)
    return (
        same_site(request)
        and isinstance(field, str)
        and cookie is not None
        and hmac.compare_digest(field.encode(), cookie.encode())
    )


def _networks(request: Request) -> list[str]:
    with web_of(request).db.session() as session:
        return list(session.scalars(select(Network.name).order_by(Network.name)))


def _form(
    request: Request, status: int = 200, error: str = "", values: dict[str, str] | None = None
) -> Response:
    return public_page(
        request,
        "register.html",
        status,
        title="S'enregistrer",
        error=error,
        v=values or {"type_identifiant": "rpps"},
        professions=sorted(PROFESSIONS.items(), key=lambda item: item[1]),
        rpps_professions=", ".join(PROFESSIONS[c] for c in sorted(RPPS_PROFESSIONS)),
        networks=_networks(request),
        max_bytes=DOCUMENT_MAX_BYTES,
    )


@router.get("/inscription")
def enrolment_form(request: Request) -> Response:
    return _form(request)


@router.get("/inscription/communes")
def commune_suggestions(commune: str = "") -> Response:
    """The commune autocomplete of the public form (the profile page's, without a session)."""
    return html("_communes.html", found=suggestions(commune[:100]), label=label)


def _body(request: Request, values: dict[str, str], form: FormData) -> RegistrationCreate:
    password = form.get("mot_de_passe")
    if password != form.get("confirmation"):
        raise _Refused(422, "Les deux mots de passe ne sont pas identiques")
    fields: dict[str, Any] = {
        "identifier_kind": values["type_identifiant"],
        "identifier": values["identifiant"],
        "last_name": values["nom"],
        "first_name": values["prenom"],
        "profession_code": values["profession"],
        "commune_insee": code_of(values["commune"]) if values["commune"] else "",
        "address_line": values["adresse"],
        "phone": values["telephone"],
        "email": values["email"],
        "password": password if isinstance(password, str) else "",
    }
    typed = values["reseau"]
    if typed:
        known = {name.casefold(): name for name in _networks(request)}
        fields["network_name"] = known.get(typed.casefold(), typed)
    return RegistrationCreate.model_validate(fields)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@router.post("/inscription")
async def enrol(request: Request) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip()[:300] for name in TEXT_FIELDS}
    if not genuine(request, form):
        await run_in_threadpool(audit_refusal, request, None, "enrolment_token")
        return _form(request, 403, FORM_EXPIRED, values)
    upload = form.get("justificatif")
    data = await upload.read(DOCUMENT_MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        if not data:
            raise _Refused(422, "Joignez la pièce justificative : recto de la carte CPS ou attestation ADELI")
        body = await run_in_threadpool(_body, request, values, form)
        created = await run_in_threadpool(registrations.register, visit_of(request), body, data)
    except _Refused as refusal:
        return _form(request, refusal.status, refusal.message, values)
    except ValidationError as invalid:
        return _form(request, 422, first_error(invalid.errors()), values)
    except DomainError as refusal:
        return _form(request, status_of(refusal), refusal.message, values)
    response = see_other(CODE_PAGE)
    set_cookie(response, request, REGISTRATION_COOKIE, f"{created.id}:{created.token}", max_age=7 * 86400)
    drop_cookie(response, request, LOGIN_COOKIE)
    return response


def _held(request: Request) -> tuple[int, str] | None:
    raw = request.cookies.get(REGISTRATION_COOKIE, "")
    ident, _, token = raw.partition(":")
    return (int(ident), token) if ident.isdigit() and token else None


def _code_page(request: Request, status: int = 200, error: str = "") -> Response:
    held = _held(request)
    if held is None:
        return see_other(f"{PREFIX}/inscription")
    try:
        state = registrations.read_progress(visit_of(request), *held)
    except DomainError:
        response = see_other(f"{PREFIX}/inscription")
        drop_cookie(response, request, REGISTRATION_COOKIE)
        return response
    return public_page(request, "register_code.html", status, title="Vérification", error=error, state=state)


@router.get("/inscription/code")
def code_form(request: Request) -> Response:
    return _code_page(request)


async def _step(request: Request, action: str) -> Response:
    form = await request.form()
    held = _held(request)
    if held is None or not genuine(request, form):
        await run_in_threadpool(audit_refusal, request, None, "enrolment_token")
        return _code_page(request, 403, FORM_EXPIRED)
    try:
        if action == "verify":
            code = str(form.get("code", ""))[:12]
            await run_in_threadpool(registrations.verify_phone, visit_of(request), *held, code)
        else:
            await run_in_threadpool(registrations.resend_code, visit_of(request), *held)
    except DomainError as refusal:
        return await run_in_threadpool(_code_page, request, status_of(refusal), refusal.message)
    return see_other(CODE_PAGE)


@router.post("/inscription/code")
async def verify_code(request: Request) -> Response:
    return await _step(request, "verify")


@router.post("/inscription/code/nouveau")
async def new_code(request: Request) -> Response:
    return await _step(request, "resend")


@router.get("/inscription/email")
def confirm_email(request: Request, jeton: str = "") -> Response:
    """The e-mailed link: confirms the address (opening it is the proof), then says what is next."""
    try:
        state = registrations.confirm_email(visit_of(request), jeton[:1000])
    except DomainError as refusal:
        return html(
            "register_email.html",
            status=status_of(refusal),
            title="Adresse e-mail",
            error=refusal.message,
            state=None,
        )
    return html(
        "register_email.html",
        title="Adresse e-mail confirmée",
        error="",
        state=state,
        status_label=STATUS_LABELS[state.status],
    )
