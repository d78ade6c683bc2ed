"""The notification worker: one thread per server process that plans and sends right after commit.

Woken by this process's commits that appended feed events (the planner has work) or queued
deliveries (the senders have work), and every `interval` seconds for the rest (retries, other
processes' commits). The same two jobs are also due-work (server/clock.py) so the scheduler and
the test clock run them; running them from two threads at once is safe (cursor lock, leases).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

log = logging.getLogger("centrale.notify")


class NotifyWorker:
    def __init__(
        self, now: Callable[[], datetime], jobs: list[Callable[[datetime], int]], interval: float
    ) -> None:
        self._now = now
        self._jobs = jobs
        self._interval = interval if interval > 0 else None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self, *_args: object) -> None:
        """Any thread, any signature (`on_events_committed` passes the last seq)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="centrale-notify", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            for job in self._jobs:
                try:
                    job(self._now())
                except Exception:
                    log.exception("notification work failed; retried at the next wake-up")
