"""401 and 429 answers, counted rather than audited one by one, so that a flood of bad tokens or
throttled attempts cannot flood the audit trail: each server process keeps a counter per (status,
source address) and writes one audit entry per counter — `unauthenticated` (401) or `rate_limited`
(429), with the count, the first and last time and up to ten paths — every flush interval
(`CENTRALE_REFUSAL_FLUSH_SECONDS`, 60 by default: at most one entry per source and minute and
process) and at shutdown. At most MAX_KEYS counters are held: beyond, the interval's other
refusals go to one counter whose source is « * ».
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.db import Database
from server.security.audit import Origin, record_audits

log = logging.getLogger(__name__)
ACTIONS = {401: "unauthenticated", 429: "rate_limited"}
MAX_KEYS = 10_000
MAX_PATHS = 10
OVERFLOW_SOURCE = "*"


@dataclass
class _Counter:
    first_at: datetime
    last_at: datetime
    count: int = 0
    paths: list[str] = field(default_factory=list)


class RefusalCounts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[tuple[int, str], _Counter] = {}

    def note(self, status: int, source: str | None, path: str, at: datetime) -> None:
        if status not in ACTIONS:
            return
        key = (status, source or "")
        with self._lock:
            if key not in self._counters and len(self._counters) >= MAX_KEYS:
                key = (status, OVERFLOW_SOURCE)
            counter = self._counters.get(key)
            if counter is None:
                counter = self._counters[key] = _Counter(at, at)
            counter.count += 1
            counter.last_at = at
            if len(counter.paths) < MAX_PATHS and path not in counter.paths:
                counter.paths.append(path[:300])

    def flush(self, db: Database) -> int:
        """Write one audit entry per counter and start again from zero; returns how many."""
        with self._lock:
            taken, self._counters = self._counters, {}
        if not taken:
            return 0
        with db.session() as session:
            for (status, source), counter in taken.items():
                origin = Origin("*", counter.paths[0], source or None, None)
                detail: dict[str, Any] = {
                    "count": counter.count,
                    "first_at": counter.first_at.isoformat(),
                    "last_at": counter.last_at.isoformat(),
                    "paths": counter.paths,
                }
                entry: list[tuple[int | None, dict[str, Any]]] = [(None, detail)]
                record_audits(session, counter.last_at, origin, None, ACTIONS[status], entry, status)
        return len(taken)


class RefusalFlusher:
    """A daemon thread flushing `counts` every `interval` seconds, and once more when stopped."""

    def __init__(self, counts: RefusalCounts, db: Database, interval: float) -> None:
        self.counts, self.db, self.interval = counts, db, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="refusal-counts", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.counts.flush(self.db)
            except Exception:  # the database away for a moment: the next flush tries again
                log.exception("écriture des compteurs de refus (401/429) impossible")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.counts.flush(self.db)


def flush_interval(environ: dict[str, str]) -> float:
    """`CENTRALE_REFUSAL_FLUSH_SECONDS` (60 by default, at least 0.1)."""
    try:
        return max(0.1, float(environ.get("CENTRALE_REFUSAL_FLUSH_SECONDS", "60")))
    except ValueError:
        return 60.0
