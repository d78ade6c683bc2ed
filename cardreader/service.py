"""The asyncio face of the card reader: events from the worker thread arrive on the event loop.

The worker thread never touches asyncio objects directly: each event is handed over with
``loop.call_soon_threadsafe`` (the one thread-safe entry point of an asyncio loop).
"""

from __future__ import annotations

import asyncio

from cardreader.events import CardEvent
from cardreader.pcsc import CardWatcher


class CardService:
    """``async with CardService() as cards: event = await cards.next_event()``."""

    def __init__(self, poll_ms: int = 500) -> None:
        self._poll_ms = poll_ms
        self._queue: asyncio.Queue[CardEvent] = asyncio.Queue()
        self._watcher: CardWatcher | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()

        def hand_over(event: CardEvent) -> None:  # runs on the worker thread
            loop.call_soon_threadsafe(self._queue.put_nowait, event)

        self._watcher = CardWatcher(hand_over, poll_ms=self._poll_ms)
        self._watcher.start()

    async def stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            await asyncio.to_thread(watcher.stop)

    async def __aenter__(self) -> CardService:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def next_event(self, timeout: float | None = None) -> CardEvent:
        return await asyncio.wait_for(self._queue.get(), timeout)

    def request_read(self, reader: str) -> None:
        if self._watcher is not None:
            self._watcher.request_read(reader)
