"""The board's reads without Qt (`BoardFeed`): events during a full read buffered, a row an event
names fetched (events about it held meanwhile), a row outside the scope read once, changes counted
while « Rafraîchissement auto » is off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterable
from datetime import datetime
from typing import Any

import pytest

from desktop.services.board_feed import BoardFeed, BoardReader
from desktop.state.board import BoardRow, BoardState, Section, ServerClock
from desktop.sync.board_api import BoardApi
from desktop.sync.errors import ServerUnavailable
from shared.domain import PrescriptionState, Role
from shared.schemas.feed import FeedEvent
from tests.support.board_views import T0, event, view
from tests.support.desktop_server import FakeServer

pytestmark = pytest.mark.anyio


class Model:
    """The feed's target as the Qt model is, without Qt."""

    def __init__(self) -> None:
        self.state = BoardState(ServerClock(local=lambda: T0))
        self.fetches: list[int] = []
        self.feed: BoardFeed | None = None

    def replace(self, rows: Iterable[BoardRow]) -> None:
        self.state.replace(rows)

    def merge(self, rows: Iterable[BoardRow]) -> None:
        for row in rows:
            self.state.upsert(row)

    def apply(self, event: FeedEvent) -> int | None:
        applied = self.state.apply(event)
        if applied.fetch is not None and self.feed is not None:
            self.fetches.append(applied.fetch)
            self.feed.queue_fetch(applied.fetch, event)
        return applied.position

    def source_row(self, prescription_id: int) -> int | None:
        return self.state.positions.get(prescription_id)


class Reader(BoardReader):
    """Pages answered from a script (each read pops one), one page per read."""

    def __init__(self, *answers: list[int] | Exception) -> None:
        super().__init__(BoardApi(FakeServer().client()), Role.SECRETARY)
        self.answers = list(answers)
        self.reads: list[datetime] = []
        self.gate: asyncio.Event | None = None

    async def pages(self, since: datetime) -> AsyncIterator[list[BoardRow]]:
        self.reads.append(since)
        if self.gate is not None:
            await self.gate.wait()
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        yield [BoardRow.from_view(view(pid), Section.MINE) for pid in answer]


def feed_of(reader: Reader, model: Model) -> tuple[BoardFeed, list[asyncio.Task[None]]]:
    """The feed, and the tasks it starts (its fetches)."""
    tasks: list[asyncio.Task[None]] = []

    def start(coroutine: Coroutine[Any, Any, None]) -> None:
        tasks.append(asyncio.ensure_future(coroutine))

    feed = BoardFeed(reader, model, start=start)
    model.feed = feed
    return feed, tasks


async def test_events_during_the_full_read_are_applied_after_it() -> None:
    reader, model = Reader([1, 2]), Model()
    feed, _tasks = feed_of(reader, model)
    reader.gate = asyncio.Event()
    reading = asyncio.ensure_future(feed.read(14))
    await asyncio.sleep(0)
    assert feed.loading
    assert not feed.on_event(event(5, "accepted", 1, accepted_by_name="DUPONT Anne"), auto=True)
    assert feed.buffered
    reader.gate.set()
    assert await reading is None
    assert (feed.loading, feed.loaded_days, feed.covered_seq) == (False, 14, 0)
    row = model.state.row(1)
    assert row is not None
    assert row.state is PrescriptionState.ACCEPTED
    assert feed.buffered == []


async def test_a_failed_read_keeps_what_was_read_and_says_why() -> None:
    reader, model = Reader(ServerUnavailable("Pas de connexion serveur")), Model()
    feed, _tasks = feed_of(reader, model)
    failure = await feed.read(14)
    assert isinstance(failure, ServerUnavailable)
    assert feed.loaded_days == 0  # never read: the view tries again


async def test_a_new_prescription_is_fetched_and_events_about_it_are_held_until_it_is_there() -> None:
    reader, model = Reader([1], [2], []), Model()
    feed, tasks = feed_of(reader, model)
    await feed.read(14)
    reader.gate = asyncio.Event()
    feed.on_event(event(10, "sent", 2), auto=True)
    assert model.fetches == [2]
    assert feed.fetching
    feed.on_event(event(11, "accepted", 2, accepted_by_name="DUPONT Anne"), auto=True)
    assert [e.seq for e in feed.held] == [11]
    reader.gate.set()
    await asyncio.gather(*tasks)
    row = model.state.row(2)
    assert row is not None
    assert row.state is PrescriptionState.ACCEPTED  # the held event applied once the row came
    assert (feed.fetching, feed.absent) == (False, set())

    reader.gate = None
    feed.on_event(event(12, "sent", 3), auto=True)  # not in my scope: the read finds nothing
    await asyncio.gather(*tasks)
    assert feed.absent == {3}
    feed.on_event(event(13, "renewed", 3), auto=True)  # read once: not again
    await asyncio.gather(*tasks)
    assert len(reader.reads) == 3


async def test_changes_are_counted_while_auto_refresh_is_off() -> None:
    reader, model = Reader([1]), Model()
    feed, _tasks = feed_of(reader, model)
    await feed.read(14)
    assert feed.on_event(event(20, "accepted", 1), auto=False)
    assert feed.missed == 1
    row = model.state.row(1)
    assert row is not None
    assert row.state is PrescriptionState.PENDING  # not shown
    assert (feed.seen_seq, feed.covered_seq) == (20, 0)
    reader.answers.append([1])
    await feed.read(14)
    assert (feed.missed, feed.covered_seq) == (0, 20)
