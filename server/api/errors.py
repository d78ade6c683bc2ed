"""Every error leaves the server as JSON `{"detail": "<français>", "code": "<machine_code>"}`.

The one place where the services' domain errors (server/errors.py) become HTTP: a status per
kind, the extra fields beside `detail` and `code`, and the headers some kinds call for.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.api.allowed_methods import allow_header
from server.data_errors import refusal_of
from server.errors import (
    DomainError,
    RateLimited,
    TokenRefused,
)
from server.http_status import http_status
from server.validation_messages import location_label, translate_validation_error

log = logging.getLogger("centrale.server")


_HTTP_MESSAGES = {
    404: ("not_found", "Ressource introuvable"),
    405: ("method_not_allowed", "Méthode non permise sur cette adresse"),
    413: ("payload_too_large", "Requête trop volumineuse"),
}


def http_headers(error: DomainError) -> dict[str, str] | None:
    if isinstance(error, TokenRefused):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after)}
    return None


def error_response(error: DomainError) -> JSONResponse:
    body = {"detail": error.message, "code": error.code, **error.extra}
    return JSONResponse(body, status_code=http_status(error), headers=http_headers(error))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _refused(_request: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for raw in exc.errors():
            field, message, code = translate_validation_error(raw)
            errors.append({"field": field, "message": message, "code": code})
        if any(e["code"] == "json_invalid" for e in errors):
            return JSONResponse({"detail": "Corps de requête JSON invalide", "code": "json_invalid"}, 400)
        first = exc.errors()[0]
        label = location_label(tuple(first.get("loc", ())))
        detail = f"{label} : {errors[0]['message']}" if errors[0]["field"] else errors[0]["message"]
        code = errors[0]["code"] if len(errors) == 1 else "validation_error"
        return JSONResponse({"detail": detail, "code": code, "errors": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, detail = _HTTP_MESSAGES.get(exc.status_code, ("http_error", str(exc.detail)))
        headers = allow_header(request, exc.headers) if exc.status_code == 405 else exc.headers
        return JSONResponse({"detail": detail, "code": code}, exc.status_code, headers=headers)

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _data(request: Request, exc: Exception) -> JSONResponse:
        """A value the database cannot hold: the client's, not a bug (server/data_errors.py)."""
        refused = refusal_of(exc)
        if refused is None:
            return await _unexpected(request, exc)
        log.info("data refused by the database on %s %s: %s", request.method, request.url.path, exc)
        return error_response(refused)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "Erreur interne du serveur", "code": "internal_error"}, 500)
