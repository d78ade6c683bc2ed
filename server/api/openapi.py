"""The API's OpenAPI document, made to tell the truth about errors (issue 17, item 9).

FastAPI declares, for a route with parameters, its own ``HTTPValidationError`` body for 422 and
nothing else. Every error of this server leaves as ``ErrorBody`` (server/api/errors.py), and a
route can answer more than 422: this module rewrites the document once, centrally, from what each
route is made of rather than by editing every route:

- every API route: 422 (a path or query value no database can hold is refused before routing,
  server/api/input_bounds.py; parameters and bodies are validated);
- a role guard (server/api/context.py ``RoleGuard``) among its dependencies: 401 and 403;
- the telephony's token guard (server/api/telephony_guard.py): 401, and 404 when the server has no token;
- a path parameter, or a body field naming a record by its id: 404;
- a request body: 400 (``json_invalid``) and 413 (server/api/body_limit.py);
- a guarded route that changes something (POST, PUT, PATCH, DELETE): 409;
- the few statuses a route's service answers beyond those (429, 415, 503, …): ``EXTRA_STATUSES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from server.api.context import RoleGuard
from server.api.telephony_guard import TelephonyGuard
from shared.schemas.common import ErrorBody

ERROR_SCHEMA_NAME = "ErrorBody"
_ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")

DESCRIPTIONS = {
    400: "Corps de requête JSON invalide (`json_invalid`)",
    401: "Authentification requise ou jeton refusé",
    403: "Rôle ou dossier non autorisé (refus audité)",
    404: "Ressource introuvable",
    409: "Conflit avec l'état actuel",
    413: "Requête trop volumineuse",
    405: "Méthode non permise (un message envoyé n'est ni modifié ni supprimé)",
    415: "Type de fichier non pris en charge",
    422: "Donnée invalide : `detail`, `code` et, champ par champ, `errors`",
    429: "Trop de tentatives : réessayer après `Retry-After` secondes",
    503: "Service indisponible",
}

_MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# What a route's service answers beyond what its parts say, by (method, path after the prefix).
EXTRA_STATUSES: dict[tuple[str, str], frozenset[int]] = {
    ("GET", "/health"): frozenset({503}),
    ("POST", "/auth/login"): frozenset({401, 429}),
    ("POST", "/insi/search"): frozenset({503}),
    ("POST", "/registrations"): frozenset({400, 409, 413, 415, 429}),  # reads its form itself
    ("POST", "/registrations/{registration_id}/phone-code"): frozenset({429}),
    ("POST", "/registrations/{registration_id}/phone-code/resend"): frozenset({429}),
    ("POST", "/registrations/{registration_id}/documents"): frozenset({415, 429}),
    ("POST", "/registrations/email"): frozenset({404, 429}),
    ("POST", "/password-reset"): frozenset({429}),
    ("POST", "/password-reset/confirm"): frozenset({404}),
    ("POST", "/prescriptions/{prescription_id}/documents"): frozenset({415}),
    # Messaging (issue 20): the two routes that read JSON or a multipart form themselves.
    ("GET", "/messaging/recipients"): frozenset({404}),
    ("POST", "/threads"): frozenset({400, 404, 413, 415}),
    ("POST", "/threads/{thread_id}/messages"): frozenset({400, 413, 415}),
    ("PUT", "/threads/{thread_id}/messages/{message_id}"): frozenset({405}),
    ("PATCH", "/threads/{thread_id}/messages/{message_id}"): frozenset({405}),
    ("DELETE", "/threads/{thread_id}/messages/{message_id}"): frozenset({405}),
}


# Success answers beside the route's own status: (method, path) → (status, like status, description).
OTHER_SUCCESSES: dict[tuple[str, str], tuple[int, int, str]] = {
    ("POST", "/calls"): (200, 201, "Fiche d'appel mise à jour (même `id` envoyé à nouveau)"),
}


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def _has_role_guard(route: APIRoute) -> bool:
    return any(isinstance(sub.call, RoleGuard) for sub in _dependencies(route.dependant))


def _has_telephony_guard(route: APIRoute) -> bool:
    return any(isinstance(sub.call, TelephonyGuard) for sub in _dependencies(route.dependant))


def _names_records(annotation: Any, depth: int = 0) -> bool:
    """Whether a body model has an integer field naming a record by its id (``…_id``, ``…_ids``), at
    its top level or in a nested model: an id that names nothing is a 404 (« Fiche introuvable »)."""
    fields = getattr(annotation, "model_fields", None)
    if depth > 3:
        return False
    if fields is None:
        return any(_names_records(arg, depth + 1) for arg in get_args(annotation))
    return any(
        (name.endswith(("_id", "_ids")) and _holds_int(field.annotation))
        or _names_records(field.annotation, depth + 1)
        for name, field in fields.items()
    )


def _holds_int(annotation: Any) -> bool:
    return annotation is int or any(_holds_int(arg) for arg in get_args(annotation))


def _path_parameters(route: APIRoute) -> bool:
    return bool(route.dependant.path_params) or any(sub.path_params for sub in _dependencies(route.dependant))


def error_statuses(route: APIRoute, path: str, method: str, prefix: str) -> set[int]:
    """Every error status ``route``, included at ``path``, can answer to ``method``."""
    statuses = {422}
    if _has_role_guard(route):
        statuses |= {401, 403}
    if _has_telephony_guard(route):
        statuses |= {401, 404}
    if _path_parameters(route) or (
        route.body_field is not None and _names_records(route.body_field.field_info.annotation)
    ):
        statuses.add(404)
    if route.body_field is not None:
        statuses |= {400, 413}
    if method in _MUTATING and _has_role_guard(route):
        statuses.add(409)
    extra = EXTRA_STATUSES.get((method, path.removeprefix(prefix)), frozenset())
    return statuses | set(extra)


def _error_component(components: dict[str, Any]) -> None:
    for name in _FASTAPI_ERROR_SCHEMAS:
        components.pop(name, None)
    schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    components[ERROR_SCHEMA_NAME] = schema


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS.get(status, "Erreur"),
        "content": {"application/json": {"schema": _ERROR_REF}},
    }


def truthful_openapi(app: FastAPI, prefix: str) -> dict[str, Any]:
    """The document FastAPI would build, with the project's error body and every error status."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    _error_component(document.setdefault("components", {}).setdefault("schemas", {}))
    paths: dict[str, dict[str, Any]] = document.get("paths", {})
    for context in iter_route_contexts(app.routes):  # included routers' routes, at their full path
        route, path = context.original_route, context.path_format
        if not isinstance(route, APIRoute) or not route.include_in_schema or path is None:
            continue
        operations = paths.get(path, {})
        for method in context.methods or ():
            operation = operations.get(method.lower())
            if operation is None:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            other = OTHER_SUCCESSES.get((method, path.removeprefix(prefix)))
            if other is not None and str(other[1]) in responses:
                responses[str(other[0])] = {**responses[str(other[1])], "description": other[2]}
            for status in sorted(error_statuses(route, path, method, prefix)):
                responses[str(status)] = _error_response(status)
    app.openapi_schema = document
    return document


def install_openapi(app: FastAPI, prefix: str) -> None:
    """Replace ``app.openapi`` by the truthful document (built once, on first request)."""
    app.openapi = partial(truthful_openapi, app, prefix)  # type: ignore[method-assign]
