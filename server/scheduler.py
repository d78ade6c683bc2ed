"""The in-process scheduler: one thread per server process that runs the due-work jobs.

Every job is safe to run from several processes at once (rows are claimed, see
server/services/dispatch.py and server/notify/webhooks.py), so each replica runs its own
scheduler and nothing needs electing. With the test clock, `POST /test/clock/advance` runs the
same jobs synchronously as well.
"""

from __future__ import annotations

import logging
import threading

from server.clock import Clock, DueWork

log = logging.getLogger("centrale.scheduler")


class Scheduler:
    def __init__(self, clock: Clock, due_work: DueWork, interval: float = 1.0) -> None:
        self._clock = clock
        self._due_work = due_work
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="centrale-scheduler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def tick(self) -> dict[str, int]:
        return self._due_work.run(self._clock.now())

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.tick()
            except Exception:
                log.exception("scheduled work failed; retrying at the next tick")
