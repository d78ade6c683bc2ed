"""Counts the 401 and 429 answers of the whole application (API and web pages) by source address,
for the audit trail's aggregated entries (server/security/refusal_counts.py)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.clock import Clock
from server.security.refusal_counts import ACTIONS, RefusalCounts


class RefusalCounting:
    def __init__(self, app: ASGIApp, counts: RefusalCounts, clock: Clock) -> None:
        self.app, self.counts, self.clock = app, counts, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in ACTIONS:
                client = scope.get("client")
                source = client[0] if client else None
                self.counts.note(message["status"], source, scope.get("path", ""), self.clock.now())
            await send(message)

        await self.app(scope, receive, counting_send)
