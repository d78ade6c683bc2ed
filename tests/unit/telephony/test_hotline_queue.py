"""The queue holder's decisions (telephony/hotline_queue/holder.py) between a scripted SIP line and a
scripted server: what it tells, in which order, when it asks, whom it offers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from shared.schemas.hotline import CallEventIn, QueueOfferOut
from telephony.hotline_queue.events import (
    CallerArrived,
    CallerLeft,
    OperatorAnswered,
    OperatorFailed,
    OperatorLeft,
)
from telephony.hotline_queue.holder import QueueHolder
from telephony.hotline_queue.server_link import ServerUnavailable

POLL = 0.02


class ScriptedServer:
    """Offers what the test queues, once the caller's « queued » was told; records every event."""

    def __init__(self) -> None:
        self.offers: list[QueueOfferOut] = []
        self.events: list[CallEventIn] = []
        self.questions = 0
        self.down = False

    async def next_offer(self) -> QueueOfferOut | None:
        self.questions += 1
        if self.down:
            raise ServerUnavailable("serveur arrêté")
        return self.offers.pop(0) if self.offers else None

    async def tell(self, event: CallEventIn) -> None:
        if self.down:
            raise ServerUnavailable("serveur arrêté")
        self.events.append(event)

    def told(self) -> list[tuple[str, str, str | None]]:
        return [(e.kind, e.call_id, e.sip_user) for e in self.events]


class ScriptedLine:
    def __init__(self, refuse: bool = False) -> None:
        self.offers: list[tuple[int, str, int, str, str]] = []
        self.hung_up: list[int] = []
        self.refuse = refuse

    async def offer(self, caller: int, target: str, ring_seconds: int, number: str, name: str) -> None:
        if self.refuse:
            raise RuntimeError("trop d'appels")
        self.offers.append((caller, target, ring_seconds, number, name))

    async def hang_up(self, caller: int) -> None:
        self.hung_up.append(caller)


def offer(call_id: str, target: str, entry_id: int = 1) -> QueueOfferOut:
    return QueueOfferOut(entry_id=entry_id, call_id=call_id, caller_number="+33761717229",
                         caller_name="Claire Martin", target=target, ring_seconds=15)  # fmt: skip


async def until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never met"
        await asyncio.sleep(0.005)


def scene(body: Callable[[QueueHolder, ScriptedServer, ScriptedLine], Awaitable[None]], *,
          refuse: bool = False) -> tuple[ScriptedServer, ScriptedLine]:  # fmt: skip
    server, line = ScriptedServer(), ScriptedLine(refuse)

    async def main() -> None:
        holder = QueueHolder(line, server, poll_seconds=POLL)
        runner = asyncio.ensure_future(holder.run())
        try:
            await body(holder, server, line)
        finally:
            holder.stop()
            await runner
            await holder.drain()

    asyncio.run(main())
    return server, line


def test_a_waiting_caller_is_offered_then_bridged_then_the_end_is_told() -> None:
    async def body(holder: QueueHolder, server: ScriptedServer, line: ScriptedLine) -> None:
        holder.on_line_event(CallerArrived(7, "call-a", "+33761717229", "Claire Martin"))
        await until(lambda: server.told() == [("queued", "call-a", None)])
        assert server.events[0].caller_number == "+33761717229"
        assert server.events[0].caller_name == "Claire Martin"
        server.offers.append(offer("call-a", "op1"))
        await until(lambda: bool(line.offers))
        assert line.offers == [(7, "op1", 15, "+33761717229", "Claire Martin")]
        holder.on_line_event(OperatorAnswered(7))
        await until(lambda: len(server.events) == 2)
        holder.on_line_event(CallerLeft(7, 200))
        await until(lambda: len(server.events) == 3)

    server, line = scene(body)
    assert server.told() == [
        ("queued", "call-a", None),
        ("answered", "call-a", "op1"),
        ("ended", "call-a", "op1"),
    ]
    assert line.hung_up == [7]  # the operator's leg goes with the caller's


def test_an_operator_who_does_not_answer_is_told_and_the_caller_is_offered_again() -> None:
    async def body(holder: QueueHolder, server: ScriptedServer, line: ScriptedLine) -> None:
        holder.on_line_event(CallerArrived(1, "call-a", "+33761717229", ""))
        server.offers.append(offer("call-a", "op1"))
        await until(lambda: len(line.offers) == 1)
        holder.on_line_event(OperatorFailed(1, 408, "Pas de réponse"))
        await until(lambda: len(server.events) == 2)
        server.offers.append(offer("call-a", "op2"))
        await until(lambda: len(line.offers) == 2)
        holder.on_line_event(OperatorAnswered(1))
        holder.on_line_event(OperatorLeft(1))
        await until(lambda: len(server.events) == 4)

    server, line = scene(body)
    assert server.told() == [
        ("queued", "call-a", None),
        ("unanswered", "call-a", "op1"),
        ("answered", "call-a", "op2"),
        ("ended", "call-a", "op2"),
    ]
    assert [o[1] for o in line.offers] == ["op1", "op2"]
    assert line.hung_up == [1]  # the operator hung up: the caller's leg is ended


def test_a_caller_who_hangs_up_while_waiting_is_lost_and_no_longer_asked_for() -> None:
    async def body(holder: QueueHolder, server: ScriptedServer, line: ScriptedLine) -> None:
        holder.on_line_event(CallerArrived(3, "call-b", "0145678912", ""))
        await until(lambda: server.questions >= 2)
        holder.on_line_event(CallerLeft(3, 200))
        await until(lambda: len(server.events) == 2)
        asked = server.questions
        await asyncio.sleep(POLL * 5)
        assert server.questions == asked  # nobody waits: the server is left alone

    server, line = scene(body)
    assert server.told() == [("queued", "call-b", None), ("lost", "call-b", None)]
    queued_at, lost_at = server.events[0].at, server.events[1].at
    assert queued_at is not None
    assert lost_at is not None
    assert lost_at >= queued_at  # the server computes the wait from these
    assert line.hung_up == []  # nothing else to end


def test_the_server_is_asked_every_poll_while_a_caller_waits() -> None:
    async def body(holder: QueueHolder, server: ScriptedServer, line: ScriptedLine) -> None:
        await asyncio.sleep(POLL * 4)
        assert server.questions == 0
        holder.on_line_event(CallerArrived(1, "call-a", "", ""))
        await asyncio.sleep(POLL * 10)
        assert 5 <= server.questions <= 13

    scene(body)


def test_events_the_server_missed_are_sent_again_in_order_before_any_question() -> None:
    async def body(holder: QueueHolder, server: ScriptedServer, line: ScriptedLine) -> None:
        server.down = True
        holder.on_line_event(CallerArrived(1, "call-a", "", ""))
        holder.on_line_event(CallerArrived(2, "call-b", "", ""))
        holder.on_line_event(CallerLeft(1, 200))
        await asyncio.sleep(POLL * 5)
        asked_while_down = server.questions
        server.down = False
        await until(lambda: len(server.events) == 3)
        assert asked_while_down == 0  # questions wait until what happened is known

    server, _ = scene(body)
    assert server.told() == [("queued", "call-a", None), ("queued", "call-b", None), ("lost", "call-a", None)]


def test_an_offer_for_a_caller_not_arrived_yet_waits_for_them() -> None:
    async def body(holder: QueueHolder, server: ScriptedServer, line: ScriptedLine) -> None:
        holder.on_line_event(CallerArrived(1, "call-a", "", ""))
        server.offers.append(offer("call-late", "op1"))  # Kamailio told « queued » first
        await until(lambda: server.questions >= 1 and not server.offers)
        holder.on_line_event(CallerArrived(2, "call-late", "+33145678912", ""))
        await until(lambda: bool(line.offers))

    _, line = scene(body)
    assert line.offers[0][:2] == (2, "op1")


def test_an_offer_for_a_caller_who_never_arrives_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("telephony.hotline_queue.holder.UNKNOWN_OFFER_GRACE_SECONDS", POLL * 3)

    async def body(holder: QueueHolder, server: ScriptedServer, line: ScriptedLine) -> None:
        holder.on_line_event(CallerArrived(1, "call-a", "", ""))
        server.offers.append(offer("call-gone", "op1"))
        await until(lambda: ("lost", "call-gone", None) in server.told())

    _, line = scene(body)
    assert line.offers == []


def test_an_offer_the_line_cannot_make_is_unanswered() -> None:
    async def body(holder: QueueHolder, server: ScriptedServer, line: ScriptedLine) -> None:
        holder.on_line_event(CallerArrived(1, "call-a", "", ""))
        server.offers.append(offer("call-a", "op1"))
        await until(lambda: len(server.events) == 2)

    server, _ = scene(body, refuse=True)
    assert server.told() == [("queued", "call-a", None), ("unanswered", "call-a", "op1")]
