"""What the desktop needs from a card reader; the PC/SC adapter and the fake implement it.

Adapters (the composition root picks one; nothing else needs to know which):

* ``cardreader.pcsc.PcscCardReader(poll_ms=500, retry_s=0.5)`` — the real one, through pcscd. It is
  the only class that loads pyscard, and only ``cardreader.pcsc`` imports it: importing this module,
  ``cardreader.events`` or ``cardreader.service`` never does.
* ``cardreader.fake.FakeCardReader(readers=...)`` — no pcscd: readers, cards (the emulator's JSON
  profiles, read in-process by the same reading procedure), faults and errors are scripted.

Thread rules (the same for both):

* ``start()`` is called on the asyncio loop that will receive the events (it needs a running loop);
  a worker (a thread for PC/SC) then announces the readers and the cards already in them. Every
  event of the worker reaches that loop through ``loop.call_soon_threadsafe``, in the order the
  worker emitted it; ``next_event()`` is awaited on that loop only.
* ``request_read(reader)`` may be called from the loop at any time; the answer comes later as a
  ``CardRead`` or a ``CardError`` event, or as nothing when no card is in that reader (the caller
  keeps its own timeout). Before ``start()`` or after ``stop()`` it does nothing.
* ``list_readers()`` asks the card service directly and blocks for as long as that takes (a few
  ms for pcscd; run it off the GUI thread when that matters); it raises ``CardReadError``
  (``CardErrorCode.NO_SERVICE`` when pcscd is not running). It does not need ``start()``.
* ``await stop()`` ends the worker; no event is emitted after it (none for the cards still in).
* Events are the frozen dataclasses of ``cardreader.events``; no pyscard object ever leaves an
  adapter. Errors are ``CardError`` events with a French message, never exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, Self

from cardreader.events import CardEvent

EventSink = Callable[[CardEvent], None]
"""Where a watcher puts its events; called on the watcher's own thread."""


class Watcher(Protocol):
    """The thread side of an adapter: watches the readers, emits events to a sink it was given."""

    def start(self) -> None: ...

    def stop(self, timeout: float = 5.0) -> None: ...

    def request_read(self, reader: str) -> None: ...


class CardReader(Protocol):
    """The asyncio side: ``async with reader: event = await reader.next_event()``."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def next_event(self, timeout: float | None = None) -> CardEvent:
        """The next event; ``TimeoutError`` when none came within ``timeout`` seconds."""

    def request_read(self, reader: str) -> None:
        """Read the card in ``reader`` again (« Lire la carte »); the result comes as an event."""

    def list_readers(self) -> list[str]:
        """The readers the card service knows now (blocking; ``CardReadError`` on failure)."""
