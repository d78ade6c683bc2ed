"""Refuses, before it is parsed, a JSON body nested deeper than any request of the API needs.

Python's parser recurses once per level: a body of 100,000 ``[`` would exhaust the recursion limit
and FastAPI would answer an English 400. No request schema goes deeper than a few levels, so
``MAX_JSON_DEPTH`` leaves a wide margin; beyond it the answer is the documented
``400 json_invalid`` in French (docs/server.md). The body has already been bounded in size by
server/api/body_limit.py (which sits outside this middleware); multipart and form bodies are not
JSON and pass untouched (read, they would be buffered for nothing).
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_DEPTH = 32
JSON_TOO_DEEP_MESSAGE = (
    f"Corps de requête JSON invalide : imbrication trop profonde ({MAX_JSON_DEPTH} niveaux au plus)"
)


def is_json(content_type: bytes) -> bool:
    """What FastAPI reads as JSON: no content type, ``application/json`` or a ``+json`` type."""
    media = content_type.split(b";", 1)[0].strip().lower()
    return media in (b"", b"application/json") or media.endswith(b"+json")


# Inside a string, brackets do not nest: the scan jumps from one significant character to the next.
_SIGNIFICANT = re.compile(rb'["\\\[\]{}]')


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` in ``body`` (valid JSON or not)."""
    if body.count(b"[") + body.count(b"{") <= limit:  # counted in C: most bodies stop here
        return False
    depth = 0
    in_string = escaped = False
    for match in _SIGNIFICANT.finditer(body):
        char = match.group()
        if in_string:
            if escaped:
                escaped = False
            elif char == b"\\":
                escaped = match.end() < len(body) and body[match.end() : match.end() + 1] in b'"\\'
                if escaped:
                    continue
            elif char == b'"':
                in_string = False
            continue
        if char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


class JsonDepth:
    """ASGI middleware over the requests whose path starts with ``prefix`` (the API's)."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if not is_json(dict(scope.get("headers") or []).get(b"content-type", b"")):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if too_deep(body):
            await _refuse(send)
            return
        await self.app(scope, _replay([body], None, receive), send)


def _replay(chunks: list[bytes], last: Message | None, receive: Receive) -> Receive:
    """A ``receive`` giving the body already read, then whatever follows (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if last is not None:
                return last
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send) -> None:
    body = json.dumps({"detail": JSON_TOO_DEEP_MESSAGE, "code": "json_invalid"}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
