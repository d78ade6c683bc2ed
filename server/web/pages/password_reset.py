"""« Mot de passe oublié »: ask for a link by e-mail or a code by SMS, then choose a new password
(server/services/password_reset.py). The same page follows whether or not the account exists.
Forms carry the login page's double-submit token (server/web/pages/enrolment.py: `genuine`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from server.errors import DomainError
from server.services import password_reset
from server.web.errors import first_error, status_of
from server.web.guard import audit_refusal
from server.web.pages.access import FORM_EXPIRED
from server.web.pages.enrolment import genuine, public_page, visit_of
from server.web.render import html
from shared.schemas.registrations import ResetConfirm, ResetRequest

router = APIRouter()


def _request_form(request: Request, status: int = 200, error: str = "", **values: str) -> Response:
    return public_page(
        request,
        "reset_request.html",
        status,
        title="Mot de passe oublié",
        error=error,
        login=values.get("login", ""),
        channel=values.get("channel", "email"),
    )


def _new_form(request: Request, status: int = 200, **context: Any) -> Response:
    defaults: dict[str, Any] = {"notice": "", "error": "", "usable": True, "token": "", "ticket": ""}
    return public_page(
        request, "reset_new.html", status, title="Nouveau mot de passe", **{**defaults, **context}
    )


@router.get("/mot-de-passe-oublie")
def reset_form(request: Request) -> Response:
    return _request_form(request)


@router.post("/mot-de-passe-oublie")
async def ask_reset(request: Request) -> Response:
    form = await request.form()
    login, channel = str(form.get("compte", "")).strip()[:254], str(form.get("canal", "email"))
    if not genuine(request, form):
        await run_in_threadpool(audit_refusal, request, None, "reset_token")
        return _request_form(request, 403, FORM_EXPIRED, login=login, channel=channel)
    try:
        body = ResetRequest.model_validate({"login": login, "channel": channel})
        answer = await run_in_threadpool(password_reset.request_reset, visit_of(request), body)
    except ValidationError as invalid:
        return _request_form(request, 422, first_error(invalid.errors()), login=login, channel=channel)
    except DomainError as refusal:
        return _request_form(request, status_of(refusal), refusal.message, login=login, channel=channel)
    if answer.ticket:
        return _new_form(request, notice=answer.message, ticket=answer.ticket)
    return html("reset_done.html", title="Demande envoyée", message=answer.message)


@router.get("/mot-de-passe/nouveau")
def new_password_form(request: Request, jeton: str = "") -> Response:
    """The e-mailed link: the form, if the link may still be used (it is used up on saving)."""
    token = jeton[:200]
    if not token or not password_reset.link_is_usable(visit_of(request), token):
        return _new_form(request, 400, usable=False, error=password_reset.LINK_REFUSED)
    return _new_form(request, token=token)


@router.post("/mot-de-passe/nouveau")
async def set_password(request: Request) -> Response:
    form = await request.form()
    token, ticket = str(form.get("lien", ""))[:200], str(form.get("ticket", ""))[:200]
    again = {"token": token, "ticket": ticket}
    if not genuine(request, form):
        await run_in_threadpool(audit_refusal, request, None, "reset_token")
        return _new_form(request, 403, error=FORM_EXPIRED, **again)
    password = str(form.get("mot_de_passe", ""))
    if password != str(form.get("confirmation", "")):
        return _new_form(request, 422, error="Les deux mots de passe ne sont pas identiques", **again)
    fields = {
        "token": token or None,
        "ticket": ticket or None,
        "code": str(form.get("code", ""))[:12] or None,
    }
    try:
        body = ResetConfirm.model_validate({**fields, "password": password})
        username = await run_in_threadpool(password_reset.confirm_reset, visit_of(request), body)
    except ValidationError as invalid:
        return _new_form(request, 422, error=first_error(invalid.errors()), **again)
    except DomainError as refusal:
        return _new_form(request, status_of(refusal), error=refusal.message, **again)
    message = f"Mot de passe enregistré. Connectez-vous avec l'identifiant « {username} »."
    return html("reset_done.html", title="Mot de passe enregistré", message=message)
