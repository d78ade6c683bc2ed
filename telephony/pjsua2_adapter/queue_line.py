"""``Pjsua2QueueLine``: the asyncio face of the queue holder's pjsua2 thread (``queue_calls.py``).

The same rules as ``Pjsua2Softphone``: each command is queued to the owning thread and awaited;
events come back through ``loop.call_soon_threadsafe`` to the listeners on the loop of ``start``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pjsua2 as pj

from telephony.api import PhoneError
from telephony.config import PhoneConfig
from telephony.events import PhoneEvent
from telephony.hotline_queue.events import LineEvent
from telephony.pjsua2_adapter.engine import EndpointBusy, Engine
from telephony.pjsua2_adapter.queue_calls import HoldSettings, QueueCalls

log = logging.getLogger(__name__)
LineListener = Callable[[LineEvent], None]


def _no_phone_event(_event: PhoneEvent) -> None:
    """The engine's own channel is for the softphone's events; the line has its own."""


class Pjsua2QueueLine:
    def __init__(self, config: PhoneConfig, settings: HoldSettings) -> None:
        if not Path(settings.announcement).is_file():
            raise PhoneError(f"Annonce introuvable : {settings.announcement}")
        self.config = config
        self.settings = settings
        self._listeners: list[LineListener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engine: Engine | None = None
        self._calls: QueueCalls | None = None

    def add_listener(self, listener: LineListener) -> None:
        self._listeners.append(listener)

    @property
    def local_port(self) -> int:
        return self._engine.local_port if self._engine else 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        engine = Engine(self.config, _no_phone_event)
        calls = QueueCalls(engine, self.settings, self._from_pjsua2_thread)
        try:
            await loop.run_in_executor(None, engine.start, calls.setup)
        except pj.Error as exc:
            raise PhoneError(f"La file d'attente n'a pas pu démarrer : {exc.info()}") from None
        except EndpointBusy as exc:
            raise PhoneError(f"La file d'attente n'a pas pu démarrer : {exc}") from None
        self._engine, self._calls = engine, calls

    async def stop(self) -> None:
        engine, self._engine, self._calls = self._engine, None, None
        if engine is not None and self._loop is not None:
            await self._loop.run_in_executor(None, engine.stop)

    def _from_pjsua2_thread(self, event: LineEvent) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._dispatch, event)

    def _dispatch(self, event: LineEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("listener failed on %s", type(event).__name__)

    async def _run(self, command: Callable[[QueueCalls], None]) -> None:
        engine, calls = self._engine, self._calls
        if engine is None or calls is None:
            raise PhoneError("La file d'attente n'est pas démarrée")
        try:
            await asyncio.wrap_future(engine.submit(lambda: command(calls)))
        except pj.Error as exc:
            raise PhoneError(f"Commande refusée par la pile SIP : {exc.info()}") from None

    async def offer(self, caller: int, target: str, ring_seconds: int, number: str, name: str) -> None:
        await self._run(lambda c: c.offer(caller, target, ring_seconds, number, name))

    async def hang_up(self, caller: int) -> None:
        await self._run(lambda c: c.hang_up(caller))
