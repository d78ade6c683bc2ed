"""The live hub: one per application process; it only ever WAKES the WebSocket followers.

A follower never receives events from the hub, only "something may be new"; it then reads
`events_after(last_sent)` from the database itself (server/live/follower.py). Order, completeness and
exactly-once therefore come from the feed table (server/services/feed.py), never from the wake-up
path, which may lose, repeat or reorder wake-ups without harm.

Wake-ups come from:
- this process's commits, through `Database.on_events_committed`, called from whatever thread
  committed and handed to the event loop with `call_soon_threadsafe`;
- on PostgreSQL, every process's commits, through `LISTEN centrale_events`
  (server/live/pg_listener.py), so a client connected to any replica sees every change;
  on SQLite the server is a single process and in-process wake-ups see its commits;
- a periodic wake-up of every follower (`poll_interval`, 2 s by default;
  `CENTRALE_LIVE_POLL_SECONDS`) as a safety net: a wake-up lost while the listener reconnects, a
  commit made by another program (CLI commands on SQLite), or a read that failed, is made good
  within that delay. It also paces the followers' token re-checks.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial

import anyio
import anyio.to_thread
from starlette.applications import Starlette

from server.db import Database
from server.live.pg_listener import PgListener
from server.services.feed import events_after
from shared.schemas.dispatch import EventView

log = logging.getLogger("centrale.live")

DEFAULT_POLL_SECONDS = 2.0
# Database reads of the followers run on their own small thread budget, so a burst of wake-ups on
# many connections never takes every worker thread (or pooled connection) from the HTTP routes.
READ_THREADS = 8


class Subscription:
    """One follower's wake-up flag. Used only on the event loop's thread."""

    def __init__(self, position: int) -> None:
        self._flag = asyncio.Event()
        self._mark = 0
        self.closed = False
        self.closed_by_server = False
        # The last seq the follower sent: a wake-up for an event at or below it is redundant.
        self.position = position

    def wake(self, seq: int | None, mark: int) -> None:
        """`mark`: the hub's read ticket when the wake-up was issued (after the commit it announces)."""
        if seq is None or seq > self.position:
            self._mark = mark
            self._flag.set()

    def close(self, *, by_server: bool) -> None:
        self.closed = True
        self.closed_by_server = by_server
        self._flag.set()

    async def wait(self) -> int:
        """Until woken (or closed), then re-arm; returns the latest wake-up's mark.

        Call it BEFORE reading the database: a wake-up that arrives during the read is kept for the
        next call, so a commit is never missed between a read and the next wait.
        """
        await self._flag.wait()
        if not self.closed:
            self._flag.clear()
        return self._mark


@dataclass(frozen=True)
class _Flight:
    ticket: int
    task: asyncio.Future[list[EventView]]


class Hub:
    def __init__(self, db: Database, *, poll_interval: float = DEFAULT_POLL_SECONDS) -> None:
        self.db = db
        self.poll_interval = poll_interval if poll_interval > 0 else DEFAULT_POLL_SECONDS
        self._subscriptions: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._listener: PgListener | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._stopped = False
        self._tickets = itertools.count()
        self._flights: dict[tuple[int, int], _Flight] = {}
        db.on_events_committed(self._committed)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._limiter = anyio.CapacityLimiter(READ_THREADS)
        self._stopped = False
        self._ticker = asyncio.create_task(self._tick(), name="centrale-live-poll")
        if self.db.kind == "postgresql":
            self._listener = PgListener(self.db.url, self.wake_all)
            self._listener.start()

    async def stop(self) -> None:
        self._stopped = True
        self._loop = None
        if self._ticker is not None:
            self._ticker.cancel()
            with suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        for subscription in list(self._subscriptions):
            subscription.close(by_server=True)

    def wake_all(self, seq: int | None = None) -> None:
        """Wake the followers that have not sent event `seq` yet (all when unknown).

        On the event loop's thread. On PostgreSQL each local commit arrives twice (in-process, then
        through NOTIFY): the second wake-up finds every follower past it and costs nothing.
        """
        mark = next(self._tickets)
        for subscription in list(self._subscriptions):
            subscription.wake(seq, mark)

    async def _tick(self) -> None:
        """The safety net: every follower re-reads every `poll_interval` (they share the query)."""
        while True:
            await asyncio.sleep(self.poll_interval)
            self.wake_all()

    def _committed(self, last_seq: int | None) -> None:
        # Any thread: a route's worker thread, the scheduler, the test clock.
        loop = self._loop
        if loop is None:
            return
        with suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
            loop.call_soon_threadsafe(self.wake_all, last_seq)

    @contextmanager
    def subscribe(self, position: int) -> Iterator[Subscription]:
        subscription = Subscription(position)
        self._subscriptions.add(subscription)
        if self._stopped:
            subscription.close(by_server=True)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    def read_ticket(self) -> int:
        """A mark to pass to `read_after`: reads started after this call are fresh enough."""
        return next(self._tickets)

    async def read_after(self, after: int, limit: int, *, newer_than: int) -> list[EventView]:
        """`events_after(after, limit)` by a query started after ticket `newer_than` was taken.

        Followers at the same position share one query (single flight) instead of each running
        its own: without this, every event costs one query per connected client. Sharing is safe
        because a query is joined only if it started after the wake-up that made the caller read
        (whose mark is `newer_than`), so it sees every commit that wake-up announced. Runs on a
        worker thread.
        """
        key = (after, limit)
        flight = self._flights.get(key)
        if flight is None or flight.ticket <= newer_than:
            task = asyncio.ensure_future(
                anyio.to_thread.run_sync(self._read, after, limit, limiter=self._limiter)
            )
            flight = _Flight(next(self._tickets), task)
            self._flights[key] = flight
            task.add_done_callback(partial(self._landed, key, flight))
        # Shielded: a follower that leaves must not cancel the query others wait for.
        return await asyncio.shield(flight.task)

    def _landed(self, key: tuple[int, int], flight: _Flight, task: asyncio.Future[list[EventView]]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not task.cancelled():
            task.exception()  # retrieved here, raised to every follower that awaits it

    def _read(self, after: int, limit: int) -> list[EventView]:
        with self.db.session() as session:
            return events_after(session, after, limit)


def hub_of(app: Starlette) -> Hub:
    hub = app.state.live_hub
    assert isinstance(hub, Hub)
    return hub
