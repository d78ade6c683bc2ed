"""Refuses request bodies over a size limit with 413, before the application reads them.

One limit applies everywhere (`CENTRALE_MAX_BODY_BYTES`); a few routes that legitimately take a
larger body (document uploads) declare a `PathLimit` of their own, with the message their users
read. The route itself still enforces its exact rule: the middleware only refuses early what can
never be valid, so a 50 MB upload is not read at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class PathLimit:
    """A body limit for the requests whose method and path match, with its own error."""

    method: str
    path: re.Pattern[str]
    max_bytes: int
    code: str
    detail: str

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and self.path.fullmatch(path) is not None


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, path_limits: Sequence[PathLimit] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = tuple(path_limits)

    def _limit_for(self, scope: Scope) -> tuple[int, str, str]:
        for rule in self.path_limits:
            if rule.matches(scope.get("method", ""), scope.get("path", "")):
                return rule.max_bytes, rule.code, rule.detail
        return (
            self.max_bytes,
            "payload_too_large",
            f"Requête trop volumineuse ({self.max_bytes} octets au plus)",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes, code, detail = self._limit_for(scope)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            await _refuse(send, code, detail)
            return
        # Without a Content-Length (chunked upload), read up to the limit before the app sees it.
        if length is None and headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            chunks, total, more = [], 0, True
            while more:
                message = await receive()
                body = message.get("body", b"")
                total += len(body)
                if total > max_bytes:
                    await _refuse(send, code, detail)
                    return
                chunks.append(body)
                more = message.get("more_body", False)
            buffered = b"".join(chunks)
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": buffered, "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, code: str, detail: str) -> None:
    body = json.dumps({"detail": detail, "code": code}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
