"""The JSON object of a request read by hand — by a route that takes either a form (with files) or
JSON, so that FastAPI cannot read the body for it: malformed JSON is the usual 422
(`json_invalid`), anything but an object a French 422 (`body_not_object`), never a 500."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from server.errors import Invalid


async def json_object(request: Request) -> dict[str, Any]:
    try:
        fields = await request.json()
    except ValueError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "json"}]) from exc
    if not isinstance(fields, dict):
        raise Invalid("body_not_object", "Un objet JSON est attendu")
    return fields
