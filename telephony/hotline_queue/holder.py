"""The queue holder's decisions, on the asyncio loop: who waits, whom to offer, what to tell.

The SIP line (``QueueLine``) answers callers, plays to them, rings operators and bridges; the
server (``QueueServer``) says which caller goes to which operator. This module only keeps the two in
step: it asks the server every ``poll_seconds`` and after each change while a caller waits without
an offer, and tells it every outcome (queued, answered, unanswered, lost, ended). Events the server
did not take are kept and sent again, in order, before the next question.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from shared.schemas.hotline import CallEventIn, QueueOfferOut
from telephony.hotline_queue.events import (
    CallerArrived,
    CallerLeft,
    LineEvent,
    OperatorAnswered,
    OperatorFailed,
    OperatorLeft,
)
from telephony.hotline_queue.server_link import QueueServer, ServerUnavailable

log = logging.getLogger(__name__)
EventKind = Literal["queued", "answered", "unanswered", "lost", "ended"]
UNKNOWN_OFFER_GRACE_SECONDS = 2.0  # Kamailio tells « queued » just before the INVITE reaches us


class QueueLine(Protocol):
    async def offer(self, caller: int, target: str, ring_seconds: int, number: str, name: str) -> None:
        """Rings ``target`` (a SIP user) for ``caller``, presenting the caller's number."""

    async def hang_up(self, caller: int) -> None:
        """Ends the caller's call and the operator's, whatever their state."""


@dataclass
class Waiting:
    caller: int
    call_id: str
    number: str
    name: str
    offered_to: str | None = None  # the operator being rung
    bridged_to: str | None = None  # the operator talking to the caller


@dataclass(frozen=True)
class UnknownOffer:
    offer: QueueOfferOut
    until: float


Report = Callable[[dict[str, Any]], None]


def _now() -> datetime:
    return datetime.now(UTC)


class QueueHolder:
    def __init__(
        self, line: QueueLine, server: QueueServer, *, poll_seconds: float = 0.25,
        report: Report | None = None,
    ) -> None:  # fmt: skip
        self._line = line
        self._server = server
        self._poll_seconds = poll_seconds
        self._report: Report = report or (lambda _line: None)
        self.callers: dict[int, Waiting] = {}
        self._unknown: dict[str, UnknownOffer] = {}  # offers for callers not arrived yet
        self._outbox: deque[CallEventIn] = deque()
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- what the line reports ----------------------------------------------------------------
    def on_line_event(self, event: LineEvent) -> None:
        match event:
            case CallerArrived():
                waiting = Waiting(event.caller, event.sip_call_id, event.number, event.display_name)
                self.callers[event.caller] = waiting
                self._tell(waiting, "queued")
                pending = self._unknown.pop(waiting.call_id, None)
                if pending is not None:
                    self._place(waiting, pending.offer)
            case OperatorAnswered():
                offered = self.callers.get(event.caller)
                if offered is not None and offered.offered_to is not None:
                    offered.bridged_to, offered.offered_to = offered.offered_to, None
                    self._tell(offered, "answered", offered.bridged_to)
            case OperatorFailed():
                missed = self.callers.get(event.caller)
                if missed is not None and missed.offered_to is not None:
                    target, missed.offered_to = missed.offered_to, None
                    self._tell(missed, "unanswered", target)  # the server puts them back at the head
            case CallerLeft():
                gone = self.callers.pop(event.caller, None)
                if gone is not None:
                    self._tell(gone, "ended" if gone.bridged_to else "lost", gone.bridged_to)
                    if gone.offered_to or gone.bridged_to:
                        self._spawn(self._end(event.caller))
            case OperatorLeft():
                served = self.callers.pop(event.caller, None)
                if served is not None:
                    self._tell(served, "ended", served.bridged_to)
                    self._spawn(self._end(event.caller))
            case _:
                return
        self._wake.set()

    def waiting_without_offer(self) -> list[Waiting]:
        return [w for w in self.callers.values() if w.offered_to is None and w.bridged_to is None]

    # ---- the loop ---------------------------------------------------------------------------
    async def run(self) -> None:
        """Until ``stop``: send what is pending, then ask for offers while someone waits."""
        while not self._stopping:
            self._wake.clear()
            await self._flush()
            self._forget_unknown(time.monotonic())
            if self.waiting_without_offer() and not self._outbox and await self._ask():
                continue  # another operator may be free at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def drain(self) -> None:
        """Sends what is still pending (at shutdown), once."""
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        await self._flush()

    async def _ask(self) -> bool:
        try:
            offer = await self._server.next_offer()
        except ServerUnavailable as exc:
            self._report({"event": "ServerUnavailable", "reason": str(exc)})
            return False
        if offer is None:
            return False
        self._report({"event": "Offered", "call_id": offer.call_id, "target": offer.target,
                      "entry_id": offer.entry_id})  # fmt: skip
        waiting = next((w for w in self.callers.values() if w.call_id == offer.call_id), None)
        if waiting is None:
            self._unknown[offer.call_id] = UnknownOffer(offer, time.monotonic() + UNKNOWN_OFFER_GRACE_SECONDS)
            return False
        if waiting.offered_to is not None or waiting.bridged_to is not None:
            log.warning("offer for %s already offered or bridged: ignored", offer.call_id)
            return False
        self._place(waiting, offer)
        return True

    def _place(self, waiting: Waiting, offer: QueueOfferOut) -> None:
        waiting.offered_to = offer.target
        self._report({"event": "Placed", "call_id": offer.call_id, "target": offer.target})
        self._spawn(self._ring(waiting, offer))

    async def _ring(self, waiting: Waiting, offer: QueueOfferOut) -> None:
        try:
            await self._line.offer(
                waiting.caller, offer.target, offer.ring_seconds, waiting.number, waiting.name
            )
        except Exception as exc:  # the line refused (the caller left meanwhile, too many calls)
            self._report({"event": "OfferFailed", "call_id": offer.call_id, "reason": str(exc)})
            if self.callers.get(waiting.caller) is waiting and waiting.offered_to == offer.target:
                waiting.offered_to = None
                self._tell(waiting, "unanswered", offer.target)
                self._wake.set()

    async def _end(self, caller: int) -> None:
        try:
            await self._line.hang_up(caller)
        except Exception as exc:  # the line is stopping: its calls end with it
            log.info("hang up of caller %s: %s", caller, exc)

    def _forget_unknown(self, now: float) -> None:
        """An offer for a caller who never reached us: the call is lost (the server frees the operator)."""
        for call_id, pending in list(self._unknown.items()):
            if pending.until <= now:
                del self._unknown[call_id]
                self._outbox.append(CallEventIn(call_id=call_id, kind="lost", at=_now()))

    # ---- what the server is told ------------------------------------------------------------
    def _tell(self, waiting: Waiting, kind: EventKind, sip_user: str | None = None) -> None:
        self._outbox.append(
            CallEventIn(
                call_id=waiting.call_id, kind=kind, sip_user=sip_user, caller_number=waiting.number[:80],
                caller_name=waiting.name[:200], at=_now(),
            )
        )  # fmt: skip

    async def _flush(self) -> None:
        while self._outbox:
            event = self._outbox[0]
            try:
                await self._server.tell(event)
            except ServerUnavailable as exc:
                self._report({"event": "TellFailed", "kind": event.kind, "reason": str(exc)})
                return
            self._outbox.popleft()
            self._report({"event": "Told", "kind": event.kind, "call_id": event.call_id,
                          "sip_user": event.sip_user})  # fmt: skip

    def _spawn(self, coroutine: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
