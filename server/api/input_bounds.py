"""Refuses, before routing, an API address whose path or query holds what no database can: an
integer beyond 64 bits (an id, an offset) or the NUL character.

Bodies are checked by their schemas (``shared.schemas.common.ApiModel``); this is their
counterpart for every path and query parameter of every route, present or future, so that no
route can forget it. A run of digits is an integer wherever it appears: no address of the API
takes a 20-digit text (phones, NIR, RPPS are shorter), so nothing valid is refused. The refusal is
the project's 422 shape, in French, with the parameter's name when it is a query's.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.schemas.common import (
    DB_INT_MAX,
    DB_INT_MIN,
    INTEGER_OUT_OF_RANGE,
    INTEGER_OUT_OF_RANGE_MESSAGE,
    NUL_MESSAGE,
)

_INTEGER = re.compile(r"[+-]?\d+")


def _problem(value: str) -> tuple[str, str] | None:
    """(code, French message) when ``value`` cannot reach a database, else None."""
    if "\x00" in value:
        return "control_characters", NUL_MESSAGE
    if _INTEGER.fullmatch(value) and not DB_INT_MIN <= int(value) <= DB_INT_MAX:
        return INTEGER_OUT_OF_RANGE, INTEGER_OUT_OF_RANGE_MESSAGE
    return None


def refusal(path: str, query: str) -> tuple[str, str, str] | None:
    """(field, code, message) of the first parameter of ``path`` and ``query`` that cannot be stored."""
    for segment in path.split("/"):
        found = _problem(unquote(segment))
        if found is not None:
            return "", *found
    for name, value in parse_qsl(query, keep_blank_values=True):
        found = _problem(value) or _problem(name)
        if found is not None:
            return name, *found
    return None


class InputBounds:
    """ASGI middleware over the paths starting with ``prefix`` (the API's)."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not path.startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        found = refusal(path, query)
        if found is None or scope["type"] != "http":
            if found is not None:  # a WebSocket is closed before it is accepted
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        field, code, message = found
        label = f"Paramètre « {field} »" if field else "Adresse"
        body = {
            "detail": f"{label} : {message}",
            "code": code,
            "errors": [{"field": field, "message": message, "code": code}],
        }
        payload = json.dumps(body, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 422, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
