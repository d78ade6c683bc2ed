"""Every error leaves the server as JSON `{"detail": "<français>", "code": "<machine_code>"}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.schemas.labels import field_label
from shared.validation import ValidationFailure

log = logging.getLogger("centrale.server")


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.extra = extra


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} introuvable")


_HTTP_MESSAGES = {
    404: ("not_found", "Ressource introuvable"),
    405: ("method_not_allowed", "Méthode non permise sur cette adresse"),
    413: ("payload_too_large", "Requête trop volumineuse"),
}

# pydantic error type → French message (ctx values are filled in with str.format).
_PYDANTIC_MESSAGES = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "string_type": "texte attendu",
    "string_too_short": "trop court ({min_length} caractère(s) au moins)",
    "string_too_long": "trop long ({max_length} caractères au plus)",
    "string_pattern_mismatch": "format invalide",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "bool_type": "vrai ou faux attendu",
    "bool_parsing": "vrai ou faux attendu",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_from_datetime_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_from_datetime_inexact": "date sans heure attendue (AAAA-MM-JJ)",
    "datetime_type": "date et heure attendues (ISO 8601)",
    "datetime_parsing": "date et heure invalides (ISO 8601 attendu)",
    "datetime_from_date_parsing": "date et heure invalides (ISO 8601 attendu)",
    "timezone_aware": "date et heure avec fuseau horaire attendues",
    "enum": "valeur non reconnue (valeurs possibles : {expected})",
    "literal_error": "valeur non reconnue (valeurs possibles : {expected})",
    "list_type": "liste attendue",
    "too_long": "trop d'éléments ({max_length} au plus)",
    "too_short": "pas assez d'éléments ({min_length} au moins)",
    "model_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "model_attributes_type": "objet JSON attendu",
    "uuid_parsing": "identifiant UUID attendu",
    "json_invalid": "JSON invalide",
    "string_unicode": "texte invalide (caractère unicode incorrect)",
    "string_sub_type": "texte attendu",
}


def _field_label(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    return field_label(parts) if parts else "Requête"


def _french_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.replace("' or '", "' ou '")
    return value


def translate_validation_error(error: dict[str, Any]) -> tuple[str, str, str]:
    """(field path, French message, code) for one pydantic error."""
    loc = tuple(error.get("loc", ()))
    field = ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header"))
    ctx = error.get("ctx") or {}
    failure = ctx.get("error")
    if isinstance(failure, ValidationFailure):
        return field, failure.message, failure.code
    kind = str(error.get("type", "value_error"))
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return field, f"valeur invalide ({error.get('msg', kind)})", kind
    try:
        message = template.format(**{k: _french_value(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        message = template
    return field, message, kind


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        body = {"detail": exc.detail, "code": exc.code, **exc.extra}
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for raw in exc.errors():
            field, message, code = translate_validation_error(raw)
            errors.append({"field": field, "message": message, "code": code})
        if any(e["code"] == "json_invalid" for e in errors):
            return JSONResponse({"detail": "Corps de requête JSON invalide", "code": "json_invalid"}, 400)
        first = exc.errors()[0]
        label = _field_label(tuple(first.get("loc", ())))
        detail = f"{label} : {errors[0]['message']}" if errors[0]["field"] else errors[0]["message"]
        code = errors[0]["code"] if len(errors) == 1 else "validation_error"
        return JSONResponse({"detail": detail, "code": code, "errors": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, detail = _HTTP_MESSAGES.get(exc.status_code, ("http_error", str(exc.detail)))
        return JSONResponse({"detail": detail, "code": code}, exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "Erreur interne du serveur", "code": "internal_error"}, 500)
