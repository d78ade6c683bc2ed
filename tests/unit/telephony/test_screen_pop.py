"""Screen pop: known, unknown and shared numbers, a slow or failing lookup, the recent-callers cache."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from telephony.events import CallerIdentified, Candidate, IdentificationOutcome, IncomingCall
from telephony.screen_pop import RecentCallers, ScreenPop

MARTIN = Candidate("professional", "pro-1", "Claire Martin", "Infirmière")
DURAND_P = Candidate("professional", "pro-2", "Paul Durand", "Médecin")
DURAND_A = Candidate("professional", "pro-3", "Anne Durand", "Kinésithérapeute")
DIRECTORY = {"+33761717229": (MARTIN,), "+33145678912": (DURAND_P, DURAND_A)}


class Directory:
    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.delay = delay
        self.fail = fail
        self.asked: list[str] = []

    async def __call__(self, number: str) -> Sequence[Candidate]:
        self.asked.append(number)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise ConnectionError("serveur injoignable")
        return DIRECTORY.get(number, ())


def incoming(number: str, call_id: int = 1) -> IncomingCall:
    return IncomingCall(call_id, number, number, "", "operateur", "sip-1", datetime.now(UTC), False)


async def pop_of(
    directory: Directory, number: str, pending_after: float = 0.25, give_up_after: float = 8.0
) -> list[CallerIdentified]:
    found: list[CallerIdentified] = []
    pop = ScreenPop(directory, found.append, pending_after=pending_after, give_up_after=give_up_after)
    pop.on_event(incoming(number))
    await pop.drain()
    return found


def test_a_known_number_pops_its_professional() -> None:
    [event] = asyncio.run(pop_of(Directory(), "+33761717229"))
    assert (event.outcome, event.candidates, event.from_cache) == (
        IdentificationOutcome.IDENTIFIED,
        (MARTIN,),
        False,
    )
    assert event.number == "+33761717229"


def test_an_unknown_number_says_so() -> None:
    [event] = asyncio.run(pop_of(Directory(), "+33699999999"))
    assert (event.outcome, event.candidates) == (IdentificationOutcome.UNKNOWN, ())


def test_a_shared_number_lists_every_candidate() -> None:
    [event] = asyncio.run(pop_of(Directory(), "+33145678912"))
    assert event.candidates == (DURAND_P, DURAND_A)


def test_a_hidden_number_is_not_looked_up() -> None:
    directory = Directory()
    [event] = asyncio.run(pop_of(directory, "anonymous"))
    assert event.outcome is IdentificationOutcome.UNKNOWN
    assert directory.asked == []


def test_a_slow_lookup_shows_the_number_first_then_the_candidates() -> None:
    events = asyncio.run(pop_of(Directory(delay=0.3), "+33761717229", pending_after=0.05))
    assert [e.outcome for e in events] == [IdentificationOutcome.PENDING, IdentificationOutcome.IDENTIFIED]
    assert events[0].candidates == ()
    assert events[1].candidates == (MARTIN,)
    assert (events[1].identified_at - events[0].identified_at).total_seconds() >= 0.2


def test_a_lookup_that_times_out_fails_after_showing_the_number() -> None:
    events = asyncio.run(pop_of(Directory(delay=5), "+33761717229", pending_after=0.05, give_up_after=0.3))
    assert [e.outcome for e in events] == [IdentificationOutcome.PENDING, IdentificationOutcome.FAILED]


def test_a_failing_lookup_is_reported() -> None:
    [event] = asyncio.run(pop_of(Directory(fail=True), "+33761717229"))
    assert event.outcome is IdentificationOutcome.FAILED


def test_a_recent_caller_pops_instantly_from_the_cache_even_when_the_lookup_is_slow() -> None:
    async def scenario() -> list[CallerIdentified]:
        found: list[CallerIdentified] = []
        cache = RecentCallers()
        cache.put("+33761717229", (MARTIN,))
        pop = ScreenPop(Directory(delay=0.5), found.append, cache=cache)
        pop.on_event(incoming("+33761717229"))
        await asyncio.sleep(0.01)
        assert [e.from_cache for e in found] == [True]
        await pop.drain()
        return found

    events = asyncio.run(scenario())
    assert len(events) == 1  # the refreshed answer is the same: no second pop
    assert events[0].candidates == (MARTIN,)


def test_a_changed_answer_replaces_the_cached_one() -> None:
    async def scenario() -> list[CallerIdentified]:
        found: list[CallerIdentified] = []
        cache = RecentCallers()
        cache.put("+33145678912", (DURAND_P,))
        pop = ScreenPop(Directory(), found.append, cache=cache)
        await pop.identify(7, "+33145678912")
        return found

    events = asyncio.run(scenario())
    assert [(e.from_cache, e.candidates) for e in events] == [
        (True, (DURAND_P,)),
        (False, (DURAND_P, DURAND_A)),
    ]


def test_the_cache_forgets_the_least_recent_callers() -> None:
    cache = RecentCallers(capacity=2)
    cache.put("+1", ())
    cache.put("+2", ())
    assert cache.get("+1") == ()
    cache.put("+3", ())
    assert (cache.get("+2"), len(cache)) == (None, 2)


@pytest.mark.parametrize("number", ["+33761717229", "+33145678912"])
def test_the_lookup_result_is_cached_for_the_next_call(number: str) -> None:
    async def scenario() -> tuple[int, CallerIdentified]:
        found: list[CallerIdentified] = []
        directory = Directory()
        pop = ScreenPop(directory, found.append)
        await pop.identify(1, number)
        await pop.identify(2, number)
        return len(directory.asked), found[1]

    asked, second = asyncio.run(scenario())
    assert asked == 2
    assert second.from_cache
