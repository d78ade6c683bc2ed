"""Which operators' desktops hold a feed connection to this process (issue 19, item 5).

The `/events` WebSocket of an operator (or a supervisor who answers the hotline) is held through
`Presence.holding`: while at least one is open here, this process refreshes the operator's
`connected_until` every second; when the last one here closes, it gives them GRACE (5 s) to come
back. The database is the record shared by every process; the due work
(server/services/agent_presence.py `sweep`) puts Hors ligne whoever let it pass.

Limits, multi-process: each process refreshes its own connections only, so an operator connected to
any process stays online; a process that stops refreshing (killed, or its event loop blocked for
more than GRACE) lets its operators go Hors ligne after at most GRACE + HEARTBEAT, and their
desktops, reconnecting, must say their state again. The processes' clocks are assumed to agree to
well under a second (one host, or NTP).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from functools import partial

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette

from server.clock import Clock
from server.db import Database
from server.services import agent_presence

log = logging.getLogger("centrale.live")


class Presence:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._held: Counter[int] = Counter()
        self._beat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._beat is None:
            self._beat = asyncio.create_task(self._heartbeat(), name="centrale-presence")

    async def stop(self) -> None:
        beat, self._beat = self._beat, None
        if beat is not None:
            beat.cancel()
            with suppress(asyncio.CancelledError):
                await beat

    def held(self) -> set[int]:
        return {user_id for user_id, count in self._held.items() if count > 0}

    @asynccontextmanager
    async def holding(self, user_id: int) -> AsyncIterator[None]:
        """While the block runs, `user_id`'s desktop is connected (to this process)."""
        self._held[user_id] += 1
        if self._held[user_id] == 1:
            await self._write(partial(agent_presence.refresh, user_ids={user_id}))
        try:
            yield
        finally:
            self._held[user_id] -= 1
            if self._held[user_id] <= 0:
                del self._held[user_id]
                # Shielded: a connection closed by a cancelled task still starts its grace now.
                await asyncio.shield(self._write(partial(agent_presence.left, user_id=user_id)))

    async def _heartbeat(self) -> None:
        period = agent_presence.HEARTBEAT.total_seconds()
        while True:
            await asyncio.sleep(period)
            users = self.held()
            if users:
                await self._write(partial(agent_presence.refresh, user_ids=users))

    async def _write(self, write: Callable[..., None]) -> None:
        def run() -> None:
            with self.db.session() as session:
                write(session, now=self.clock.now())

        try:
            await anyio.to_thread.run_sync(run)
        except SQLAlchemyError as exc:  # the next beat tries again; the sweep is the backstop
            log.warning("presence of the operators' desktops not written: %s", exc)


def presence_of(app: Starlette) -> Presence:
    presence = app.state.presence
    assert isinstance(presence, Presence)
    return presence
