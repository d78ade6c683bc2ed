"""Cross-process wake-ups on PostgreSQL: `LISTEN centrale_events` on a dedicated connection.

Every transaction that appends events queues `pg_notify('centrale_events', seq)` (see
server/services/feed.py); PostgreSQL delivers it at commit to every listening connection, so each
server process wakes its own WebSocket followers whichever process committed.

The connection is supervised: if it drops (database restart, network, a backend terminated by an
administrator) it is reopened with exponential back-off, and every follower is woken once LISTEN is
back, since notifications sent while nobody listened are lost. A quiet connection is probed with
`SELECT 1` so that a dead one is noticed even when no change happens.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from contextlib import suppress

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from server.services.feed import NOTIFY_CHANNEL

log = logging.getLogger("centrale.live")

FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0
LIVENESS_SECONDS = 30.0
PROBE_TIMEOUT_SECONDS = 10.0


def application_name(pid: int | None = None) -> str:
    """How the listening connection shows in pg_stat_activity (one per server process)."""
    return f"centrale-live {pid if pid is not None else os.getpid()}"


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL (`postgresql+psycopg://…`) as a libpq URI."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    def __init__(
        self,
        database_url: str,
        on_notify: Callable[[int | None], None],
        *,
        liveness: float = LIVENESS_SECONDS,
    ) -> None:
        self._conninfo = libpq_url(database_url)
        self._on_notify = on_notify
        self._liveness = liveness
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()
        self.connections = 0  # successful LISTENs so far: 1 + number of reconnections

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._supervise(), name="centrale-pg-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    async def _supervise(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                await self._listen()
            except Exception as exc:  # any failure of the connection: reopen it after a pause
                if self.listening.is_set():  # it had worked: the first retry comes quickly
                    delay = FIRST_RETRY_SECONDS
                self.listening.clear()
                log.warning("LISTEN %s interrupted (%s); retrying in %.1f s", NOTIFY_CHANNEL, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _listen(self) -> None:
        """Listen until the connection fails (it never returns normally)."""
        conn = await psycopg.AsyncConnection.connect(
            self._conninfo,
            autocommit=True,
            application_name=application_name(),
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        )
        async with conn:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
            self.connections += 1
            self.listening.set()
            if self.connections > 1:
                log.info("LISTEN %s restored", NOTIFY_CHANNEL)
            # Whatever was committed while nobody listened: followers re-read from their last seq.
            self._on_notify(None)
            while True:
                async for notify in conn.notifies(timeout=self._liveness):
                    self._on_notify(int(notify.payload) if notify.payload.isdigit() else None)
                async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                    await conn.execute("SELECT 1")
