"""The asyncio face of a card reader: events from the worker thread arrive on the event loop.

The worker thread never touches asyncio objects directly: each event is handed over with
``loop.call_soon_threadsafe`` (the one thread-safe entry point of an asyncio loop). Which worker
is a subclass's choice (``_new_watcher``): ``cardreader.pcsc.PcscCardReader`` (pcscd) or
``cardreader.fake.FakeCardReader`` (scripted). Importing this module does not import pyscard.
"""

from __future__ import annotations

import asyncio
from typing import Self

from cardreader.api import EventSink, Watcher
from cardreader.events import CardEvent


class CardService:
    """``async with CardService() as cards: event = await cards.next_event()``; implements
    ``cardreader.api.CardReader`` (see its thread rules).

    ``CardService()`` itself reads through PC/SC, importing ``cardreader.pcsc`` (so pyscard) only
    in ``start()`` and ``list_readers()``: the desktop's name from before ``cardreader.api``. New
    code builds ``PcscCardReader`` or ``FakeCardReader`` and types it as ``CardReader``.
    """

    def __init__(self, poll_ms: int = 500) -> None:
        self._poll_ms = poll_ms
        self._queue: asyncio.Queue[CardEvent] = asyncio.Queue()
        self._watcher: Watcher | None = None

    def _new_watcher(self, sink: EventSink) -> Watcher:
        from cardreader.pcsc import CardWatcher

        return CardWatcher(sink, poll_ms=self._poll_ms)

    def list_readers(self) -> list[str]:
        from cardreader.pcsc import list_readers

        return list_readers()

    def start(self) -> None:
        loop = asyncio.get_running_loop()

        def hand_over(event: CardEvent) -> None:  # runs on the worker thread
            loop.call_soon_threadsafe(self._queue.put_nowait, event)

        self._watcher = self._new_watcher(hand_over)
        self._watcher.start()

    async def stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            await asyncio.to_thread(watcher.stop)

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def next_event(self, timeout: float | None = None) -> CardEvent:
        return await asyncio.wait_for(self._queue.get(), timeout)

    def request_read(self, reader: str) -> None:
        if self._watcher is not None:
            self._watcher.request_read(reader)
