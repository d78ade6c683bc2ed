"""Collects the events of a real CardWatcher (worker thread) for the card tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cardreader.events import CardEvent


class EventLog:
    def __init__(self) -> None:
        self.events: list[CardEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: CardEvent) -> None:  # the watcher's sink, on its thread
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(
        self, predicate: Callable[[CardEvent], bool], timeout: float = 5.0, start: int = 0
    ) -> CardEvent:
        """The first event from index ``start`` matching ``predicate``, waiting for it if needed."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self.events[start:]:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching event in {timeout} s; got {self.events[start:]}")
                self._changed.wait(remaining)

    def mark(self) -> int:
        with self._changed:
            return len(self.events)
