"""The wrap-up's qualification of a call (``PUT /calls/{id}/qualification``), Qt-free.

The call's record leaves through the outbox (`desktop/services/call_records.py`), so it may not be
on the server yet when the operator qualifies the call: a 404 then, like an unreachable server, is
tried again after 1, 2, 4 … ``backoff_max`` seconds, for ``give_up_after`` seconds at most. The
latest code chosen for a call wins (a code superseded while waiting is never sent). A refusal
(another 4xx) or giving up is said in French through ``on_outcome``, as is the success.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from desktop.sync.errors import RequestRefused, ServerUnavailable, SessionExpired

log = logging.getLogger(__name__)
Send = Callable[[str, str], Awaitable[None]]  # (call record id, code)
NOT_YET_THERE = 404  # the record is still in the outbox


class QualificationSender:
    def __init__(
        self,
        send: Send,
        on_outcome: Callable[[str, str, bool], None] | None = None,
        *,
        backoff_start: float = 1.0,
        backoff_max: float = 30.0,
        give_up_after: float = 600.0,
    ) -> None:
        """``on_outcome(record_id, French text, ok)``."""
        self.send = send
        self.on_outcome = on_outcome
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.give_up_after = give_up_after
        self.wanted: dict[str, str] = {}  # record id → the latest code chosen
        self.stored: dict[str, str] = {}  # record id → the code the server holds
        self._labels: dict[str, str] = {}  # code → its French label (the messages)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def qualify(self, record_id: str, code: str, label: str = "") -> asyncio.Task[None]:
        """Queues the call's code (the latest wins) and returns the task sending it."""
        self.wanted[record_id] = code
        self._labels[code] = label or code
        task = self._tasks.get(record_id)
        if task is None or task.done():
            task = asyncio.ensure_future(self._send(record_id))
            self._tasks[record_id] = task
        return task

    async def _send(self, record_id: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.give_up_after
        attempts = 0
        while self.wanted.get(record_id) != self.stored.get(record_id):
            code = self.wanted[record_id]
            label = self._labels.get(code, code)
            try:
                await self.send(record_id, code)
            except (ServerUnavailable, RequestRefused, SessionExpired) as problem:
                again = isinstance(problem, ServerUnavailable) or problem.status == NOT_YET_THERE
                if not again:
                    self._tell(record_id, f"Qualification « {label} » refusée : {problem}", ok=False)
                    self.wanted.pop(record_id, None)
                    return
                attempts += 1
                wait = min(self.backoff_start * 2 ** (attempts - 1), self.backoff_max)
                if loop.time() + wait > deadline:
                    self._tell(
                        record_id,
                        f"Qualification « {label} » non enregistrée : le serveur ne l'a pas reçue "
                        f"({problem})",
                        ok=False,
                    )
                    return
                await asyncio.sleep(wait)
                continue
            self.stored[record_id] = code
            if self.wanted.get(record_id) == code:
                self._tell(record_id, f"Qualification de l'appel enregistrée : {label}", ok=True)

    def _tell(self, record_id: str, text: str, *, ok: bool) -> None:
        log.info("qualification of %s: %s", record_id, text)
        if self.on_outcome is not None:
            self.on_outcome(record_id, text, ok)

    async def stop(self, wait: float = 0.0) -> None:
        """The session ends: what is still waiting gets ``wait`` seconds, then is dropped."""
        pending = [t for t in self._tasks.values() if not t.done()]
        if pending and wait > 0:
            await asyncio.wait(pending, timeout=wait)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
