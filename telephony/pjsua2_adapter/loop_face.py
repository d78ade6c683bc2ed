"""``LoopFace``: what every asyncio face of a pjsua2 thread shares (the desktop's softphone, the
queue holder's line).

Thread rules (those of ``engine.py``): commands are queued to the owning thread with
``Engine.submit`` and awaited here; events leave the owning thread only through
``loop.call_soon_threadsafe`` and reach the listeners on the loop that called ``start``. A listener
that raises is logged and the others still hear the event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

import pjsua2 as pj

from telephony.api import PhoneError
from telephony.pjsua2_adapter.engine import Engine

log = logging.getLogger(__name__)
EventT = TypeVar("EventT")
TargetT = TypeVar("TargetT")
ResultT = TypeVar("ResultT")


class LoopFace(Generic[EventT, TargetT]):
    """The loop side of one ``Engine`` and the object its commands act on (``TargetT``, used on the
    owning thread only)."""

    def __init__(self, not_started: str) -> None:
        self._not_started = not_started  # the French message of a command before ``start``
        self._listeners: list[Callable[[EventT], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engine: Engine | None = None
        self._target: TargetT | None = None

    def add_listener(self, listener: Callable[[EventT], None]) -> None:
        self._listeners.append(listener)

    @property
    def local_port(self) -> int:
        """The UDP port the SIP transport is bound to (useful with ``port=0``)."""
        return self._engine.local_port if self._engine else 0

    async def stop(self) -> None:
        engine, self._engine, self._target = self._engine, None, None
        if engine is not None and self._loop is not None:
            await self._loop.run_in_executor(None, engine.stop)

    def _from_pjsua2_thread(self, event: EventT) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._dispatch, event)

    def _dispatch(self, event: EventT) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("listener failed on %s", type(event).__name__)

    async def _run(self, command: Callable[[TargetT], ResultT]) -> ResultT:
        engine, target = self._engine, self._target
        if engine is None or target is None:
            raise PhoneError(self._not_started)
        try:
            result: ResultT = await asyncio.wrap_future(engine.submit(lambda: command(target)))
        except pj.Error as exc:
            raise PhoneError(f"Commande refusée par la pile SIP : {exc.info()}") from None
        return result
