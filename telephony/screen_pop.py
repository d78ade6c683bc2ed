"""Screen pop: who is calling, before the operator picks up (Qt-free, pjsua2-free).

On ``IncomingCall`` the caller's number is looked up through the function given (the central
server's ``GET /api/v1/directory/lookup-phone`` in the desktop). A recent caller pops at once from
the local cache, then the answer is refreshed in the background (a second ``CallerIdentified``
only if it changed). A slow lookup first yields a ``PENDING`` event — the desktop shows the number
alone — then the candidates, or ``FAILED`` after ``give_up_after`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from telephony.events import CallerIdentified, Candidate, IdentificationOutcome, IncomingCall, PhoneEvent

log = logging.getLogger(__name__)

Lookup = Callable[[str], Awaitable[Sequence[Candidate]]]


class RecentCallers:
    """Least-recently-used map of number → candidates (an empty tuple: nobody has it)."""

    def __init__(self, capacity: int = 500) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, tuple[Candidate, ...]] = OrderedDict()

    def get(self, number: str) -> tuple[Candidate, ...] | None:
        found = self._entries.get(number)
        if found is not None:
            self._entries.move_to_end(number)
        return found

    def put(self, number: str, candidates: tuple[Candidate, ...]) -> None:
        self._entries[number] = candidates
        self._entries.move_to_end(number)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def _outcome(candidates: tuple[Candidate, ...]) -> IdentificationOutcome:
    return IdentificationOutcome.IDENTIFIED if candidates else IdentificationOutcome.UNKNOWN


class ScreenPop:
    def __init__(
        self,
        lookup: Lookup,
        emit: Callable[[CallerIdentified], None],
        *,
        pending_after: float = 0.25,
        give_up_after: float = 8.0,
        cache: RecentCallers | None = None,
    ) -> None:
        self._lookup = lookup
        self._emit = emit
        self._pending_after = pending_after
        self._give_up_after = give_up_after
        self.cache = cache if cache is not None else RecentCallers()
        self._tasks: set[asyncio.Task[None]] = set()

    def on_event(self, event: PhoneEvent) -> None:
        """A softphone listener: starts the identification of each incoming call."""
        if isinstance(event, IncomingCall):
            task = asyncio.ensure_future(self.identify(event.call_id, event.caller))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _send(self, call_id: int, number: str, outcome: IdentificationOutcome,
              candidates: tuple[Candidate, ...] = (), *, from_cache: bool = False) -> None:  # fmt: skip
        self._emit(CallerIdentified(call_id, number, outcome, candidates, from_cache, datetime.now(UTC)))

    async def _ask(self, number: str) -> tuple[Candidate, ...]:
        found = tuple(await self._lookup(number))
        self.cache.put(number, found)
        return found

    async def identify(self, call_id: int, number: str) -> None:
        if not number.startswith("+"):  # anonymous or not a phone number: nothing to look up
            self._send(call_id, number, IdentificationOutcome.UNKNOWN)
            return
        cached = self.cache.get(number)
        lookup = asyncio.ensure_future(self._ask(number))
        if cached is not None:
            self._send(call_id, number, _outcome(cached), cached, from_cache=True)
            try:
                fresh = await asyncio.wait_for(lookup, self._give_up_after)
            except Exception:
                log.warning("refreshing the caller %s failed; the cached answer stays", number)
                return
            if fresh != cached:
                self._send(call_id, number, _outcome(fresh), fresh)
            return
        done, _ = await asyncio.wait({lookup}, timeout=self._pending_after)
        if not done:
            self._send(call_id, number, IdentificationOutcome.PENDING)
        try:
            found = await asyncio.wait_for(lookup, self._give_up_after - self._pending_after)
        except Exception:
            log.warning("looking up the caller %s failed or timed out", number, exc_info=True)
            self._send(call_id, number, IdentificationOutcome.FAILED)
            return
        self._send(call_id, number, _outcome(found), found)

    async def drain(self) -> None:
        """Waits for the identifications in progress (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
