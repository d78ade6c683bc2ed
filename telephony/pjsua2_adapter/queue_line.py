"""``Pjsua2QueueLine``: the asyncio face of the queue holder's pjsua2 thread (``queue_calls.py``).

The same rules as ``Pjsua2Softphone``: each command is queued to the owning thread and awaited;
events come back through ``loop.call_soon_threadsafe`` to the listeners on the loop of ``start``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pjsua2 as pj

from telephony.api import PhoneError
from telephony.config import PhoneConfig
from telephony.events import PhoneEvent
from telephony.hotline_queue.events import LineEvent
from telephony.pjsua2_adapter.engine import EndpointBusy, Engine
from telephony.pjsua2_adapter.loop_face import LoopFace
from telephony.pjsua2_adapter.queue_calls import HoldSettings, QueueCalls

LineListener = Callable[[LineEvent], None]


def _no_phone_event(_event: PhoneEvent) -> None:
    """The engine's own channel is for the softphone's events; the line has its own."""


class Pjsua2QueueLine(LoopFace[LineEvent, QueueCalls]):
    def __init__(self, config: PhoneConfig, settings: HoldSettings) -> None:
        if not Path(settings.announcement).is_file():
            raise PhoneError(f"Annonce introuvable : {settings.announcement}")
        super().__init__("La file d'attente n'est pas démarrée")
        self.config = config
        self.settings = settings

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
        self._engine, self._target = engine, calls

    async def offer(self, caller: int, target: str, ring_seconds: int, number: str, name: str) -> None:
        await self._run(lambda c: c.offer(caller, target, ring_seconds, number, name))

    async def hang_up(self, caller: int) -> None:
        await self._run(lambda c: c.hang_up(caller))
