"""The complete ``Allow`` header of a 405 answer (RFC 9110 §15.5.6).

Starlette stops at the first route whose path matches and lists that route's methods only; the API
declares one route per method on the same path (``GET`` and ``POST /admin/users``), so a 405
would name one of them. This collects the methods of every route matching the path.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.routing import iter_route_contexts
from starlette.requests import Request
from starlette.routing import Match


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the application answers on the request's path, sorted."""
    scope = dict(request.scope)
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):  # included routers' routes too
        if route.methods is None:
            continue
        match, _ = route.matches(scope)
        if match in (Match.FULL, Match.PARTIAL):
            methods |= route.methods
    return sorted(methods)


def allow_header(request: Request, headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """``headers`` with ``Allow`` completed when some route answers the path."""
    methods = allowed_methods(request)
    if not methods:
        return headers
    return {**(headers or {}), "Allow": ", ".join(methods)}
