"""The request-body limit: one general limit, and per-route limits with their own message."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from server.api.body_limit import BodyLimit, PathLimit

UPLOAD = PathLimit(
    "POST", re.compile(r"/api/v1/prescriptions/[^/]+/documents/?"), 100, "too_big", "Trop gros"
)


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    """The application behind the middleware: answers 200 with the size of the body it read."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = json.dumps({"read": size}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _call(
    method: str, path: str, chunks: list[bytes], *, chunked: bool = False
) -> tuple[int, dict[str, Any]]:
    total = sum(len(c) for c in chunks)
    headers = [(b"transfer-encoding", b"chunked")] if chunked else [(b"content-length", str(total).encode())]
    scope: Scope = {"type": "http", "method": method, "path": path, "headers": headers}
    pending = list(chunks) or [b""]
    sent: list[Message] = []

    async def receive() -> Message:
        body = pending.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(BodyLimit(_echo, max_bytes=50, path_limits=[UPLOAD])(scope, receive, send))
    return sent[0]["status"], json.loads(sent[1]["body"])


def test_the_general_limit_applies_elsewhere() -> None:
    assert _call("POST", "/api/v1/patients", [b"x" * 50]) == (200, {"read": 50})
    status, body = _call("POST", "/api/v1/patients", [b"x" * 51])
    assert (status, body["code"]) == (413, "payload_too_large")
    # The upload path's own limit is for POST only.
    assert _call("PUT", "/api/v1/prescriptions/3/documents", [b"x" * 51])[0] == 413
    assert _call("POST", "/api/v1/prescriptions/3/documents/extra", [b"x" * 51])[0] == 413


def test_a_path_limit_admits_more_and_refuses_with_its_own_message() -> None:
    assert _call("POST", "/api/v1/prescriptions/3/documents", [b"x" * 100]) == (200, {"read": 100})
    refused = _call("POST", "/api/v1/prescriptions/3/documents", [b"x" * 101])
    assert refused == (413, {"detail": "Trop gros", "code": "too_big"})


def test_chunked_bodies_are_counted_against_the_same_limits() -> None:
    parts = [b"x" * 40, b"x" * 40]
    assert _call("POST", "/api/v1/prescriptions/3/documents", parts, chunked=True) == (200, {"read": 80})
    assert _call("POST", "/api/v1/patients", parts, chunked=True)[1]["code"] == "payload_too_large"
    too_many = [b"x" * 60, b"x" * 60]
    assert _call("POST", "/api/v1/prescriptions/3/documents", too_many, chunked=True)[1]["code"] == "too_big"
