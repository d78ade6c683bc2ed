"""What the web app shows when something is refused: a French page, never a JSON body or a 500.

The services' domain errors (server/errors.py) get the status of their kind; an ended session
sends the browser back to the login page (« Session expirée »), htmx requests included (through
``HX-Redirect``, which makes htmx load the whole page).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from server.data_errors import refusal_of
from server.errors import (
    DomainError,
)
from server.http_status import http_status
from server.validation_messages import location_label, translate_validation_error
from server.web.context import PREFIX
from server.web.guard import CsrfRefused
from server.web.render import html
from server.web.sessions import LoginRequired

log = logging.getLogger("centrale.web")

_TITLES = {
    400: "Requête incorrecte",
    401: "Connexion requise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Action impossible",
    409: "Action impossible",
    413: "Fichier trop volumineux",
    415: "Type de fichier refusé",
    422: "Saisie incorrecte",
    429: "Trop d'essais",
    500: "Erreur du serveur",
    503: "Service indisponible",
}


def status_of(error: DomainError) -> int:
    """The same status as the JSON API gives that kind of error (400 for a kind without one)."""
    try:
        return http_status(error)
    except TypeError:
        return 400


def _back(request: Request | None) -> str:
    """Where the page's link leads: the page an action was posted from, else the dashboard."""
    if request is not None and request.method == "POST":
        return request.url.path.rsplit("/", 1)[0]
    return f"{PREFIX}/tableau-de-bord"


def error_page(status: int, message: str, request: Request | None = None) -> Response:
    title = _TITLES.get(status, "Erreur")
    return html("error.html", status=status, title=title, message=message, back=_back(request))


def login_redirect(request: Request, *, expired: bool) -> Response:
    """To the login page; it comes back to the page asked for (a link from an SMS) after it."""
    target = f"{PREFIX}/?"
    if expired:
        target += "expiree=1&"
    if request.method == "GET" and not request.headers.get("hx-request"):
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += f"suite={quote(wanted, safe='/')}"
    target = target.rstrip("&?")
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def first_error(errors: Sequence[Any]) -> str:
    first = dict(errors[0])
    field, message, _code = translate_validation_error(first)
    return f"{location_label(tuple(first.get('loc', ())))} : {message}" if field else message


def install_page_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return login_redirect(request, expired=exc.expired)

    @app.exception_handler(CsrfRefused)
    async def _csrf(_request: Request, _exc: CsrfRefused) -> Response:
        return error_page(
            403,
            "Requête refusée : le jeton de sécurité du formulaire est absent ou invalide. "
            "Rechargez la page et recommencez.",
        )

    @app.exception_handler(DomainError)
    async def _refused(request: Request, exc: DomainError) -> Response:
        return error_page(status_of(exc), exc.message, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_page(422, first_error(exc.errors()), request)

    @app.exception_handler(ValidationError)
    async def _form_invalid(request: Request, exc: ValidationError) -> Response:
        """A form's fields checked by a schema of shared/ (the same rules as the API's)."""
        return error_page(422, first_error(exc.errors()), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "Cette page n'existe pas.", 405: "Cette action n'est pas possible ici."}
        return error_page(exc.status_code, messages.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _data(request: Request, exc: Exception) -> Response:
        """A value the database cannot hold: the visitor's, not a bug (server/data_errors.py)."""
        refused = refusal_of(exc)
        if refused is None:
            return await _unexpected(request, exc)
        return error_page(status_of(refused), refused.message, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_page(500, "Une erreur inattendue est survenue. Réessayez dans un instant.")
