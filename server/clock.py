"""The server's notion of now.

Production uses the system clock. With CENTRALE_TEST_CLOCK=1 the clock can be moved forward
through the API, and every job registered as due-work runs at once against the new time, so
tests can cross priority windows, deadlines and token expiry without sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

DueJob = Callable[[datetime], int]


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()


class DueWork:
    """Jobs that process whatever fell due (timers are rows in the database, not in memory)."""

    def __init__(self) -> None:
        self._jobs: dict[str, DueJob] = {}

    def register(self, name: str, job: DueJob) -> None:
        self._jobs[name] = job

    def run(self, now: datetime) -> dict[str, int]:
        """Run every job; each returns how many items it processed."""
        return {name: job(now) for name, job in self._jobs.items()}
