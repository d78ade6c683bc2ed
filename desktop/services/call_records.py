"""The call log's records go to the server through the outbox, with the cases.

``telephony.call_log.CallLog`` keeps every call in its own file and hands each finished record to
its sink; this sink queues it in the desktop's outbox (``Outbox.enqueue_call_record``) and wakes
the pusher, which sends it to ``POST /api/v1/calls`` — retried with the same back-off, paused by an
expired session and resumed after the new login, exactly as a case. The server upserts a record by
its ``id``: a record handed over twice (a crash between the queuing and the call log's mark, a case
number added after the call) updates the same call, and a record still waiting is replaced in the
outbox by the newer one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.store.outbox import Outbox


class OutboxCallSink:
    """A ``telephony.call_log.CallLogSink``: « delivered » once stored in the outbox."""

    def __init__(self, outbox: Outbox, wake: Callable[[], None]) -> None:
        self._outbox = outbox
        self._wake = wake

    async def send(self, record: dict[str, Any]) -> None:
        self._outbox.enqueue_call_record(record)
        self._wake()
