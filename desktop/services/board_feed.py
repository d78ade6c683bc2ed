"""The board's reads, without Qt: its rows through the API by section (`BoardReader`), and what the
board has read and still has to read as the change feed goes on (`BoardFeed`).

- A full read of the period (first load, « Actualiser », a longer period) goes page by page, the
  latest rows first; the events received meanwhile are buffered and applied after it (an event
  never moves a row back, so this is safe over a partial read too).
- An event about a prescription the board has not got (`prescription_sent`, a renewal) asks the
  target to fetch it: the rows sent since that event are read (one read for a burst, the server
  applying the scope); events about those rows arriving meanwhile are held and applied once the
  rows are there; a prescription read once and not found is outside the user's scope.
- With « Rafraîchissement auto » off, events are only counted (`missed`).

The target is the board's model (`desktop.ui.board.model.BoardModel`, over a `BoardState`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from desktop.state.board import BoardRow, BoardState, Section
from desktop.sync.board_api import BoardApi
from desktop.sync.errors import ApiProblem
from shared.domain import Role
from shared.schemas.feed import FeedEvent

log = logging.getLogger(__name__)
FETCH_MARGIN = timedelta(seconds=1)
FETCH_RETRY_SECONDS = 1.0

Start = Callable[[Coroutine[Any, Any, None]], object]


def sections_of(role: Role) -> list[tuple[str, Section]]:
    """The board's sections for a role, as (API scope, section): « Mes fiches » first."""
    if role is Role.SECRETARY:
        return [("mine", Section.MINE)]
    other = "supervised" if role is Role.SUPERVISOR else "all"
    return [("mine", Section.MINE), (other, Section.SUPERVISED)]


class BoardReader:
    """The board's rows of a role through `GET /prescriptions`, « Mes fiches » first."""

    def __init__(self, api: BoardApi, role: Role) -> None:
        self.api = api
        self.sections = sections_of(role)

    async def pages(self, since: datetime) -> AsyncIterator[list[BoardRow]]:
        """Every prescription sent since `since`, a page at a time (latest first), « Mes fiches »
        first; at least one page, maybe empty."""
        for scope, section in self.sections:
            async for views in self.api.views(scope, since):
                yield [BoardRow.from_view(view, section) for view in views]

    async def rows(self, since: datetime) -> list[BoardRow]:
        """Every prescription sent since `since`, « Mes fiches » first."""
        return [row async for page in self.pages(since) for row in page]


class BoardTarget(Protocol):
    """What the feed updates: the rows (the Qt model signals each change to its views)."""

    @property
    def state(self) -> BoardState: ...

    def replace(self, rows: Iterable[BoardRow]) -> None: ...

    def merge(self, rows: Iterable[BoardRow]) -> None: ...

    def apply(self, event: FeedEvent) -> int | None: ...

    def source_row(self, prescription_id: int) -> int | None: ...


class BoardFeed:
    def __init__(
        self,
        reader: BoardReader,
        target: BoardTarget,
        *,
        start: Start,
        alive: Callable[[], bool] = lambda: True,
        on_fetched: Callable[[], None] = lambda: None,
    ) -> None:
        """``start`` runs a coroutine on the loop (the UI's task keeper); ``alive`` says whether the
        board still exists (a read ending after it was deleted changes nothing); ``on_fetched`` is
        called after the rows an event named were read."""
        self.reader = reader
        self.target = target
        self._start = start
        self._alive = alive
        self._on_fetched = on_fetched
        self.loaded_days = 0
        self.loading = False
        self.missed = 0  # changes not shown while « Rafraîchissement auto » is off
        self.buffered: list[FeedEvent] = []  # received during a full read: applied after it
        self.fetching = False
        self.wanted: set[int] = set()
        self.absent: set[int] = set()  # read once, not in my scope
        self.held: list[FeedEvent] = []  # events about rows being read
        self.seen_seq = 0  # the last change-feed event received
        self.covered_seq = 0  # events up to it were committed before the last full read
        self._fetch_since: datetime | None = None

    # ---- the full read --------------------------------------------------------------------------
    async def read(self, days: int) -> ApiProblem | None:
        """A full read of the last `days` days: the first page resets the target (the one reset),
        the next ones are merged; then the events received meanwhile. Returns the failure, if
        any (the rows read until then stay)."""
        self.loading = True
        covered = self.seen_seq  # every event up to it was committed before this read
        first = True
        try:
            async for rows in self.reader.pages(self.target.state.clock.now() - timedelta(days=days)):
                if first:
                    self.target.replace(rows)
                    first = False
                else:
                    self.target.merge(rows)
        except ApiProblem as problem:
            failure: ApiProblem | None = problem
        else:
            failure = None
            self.loaded_days = days
            self.covered_seq = covered
            self.missed = 0
        finally:
            self.loading = False
        if not self._alive():
            return failure  # deleted during the read
        buffered, self.buffered = self.buffered, []
        for event in buffered:
            self.target.apply(event)  # never moves a row back: safe over a partial read too
        return failure

    # ---- the change feed ------------------------------------------------------------------------
    def on_event(self, event: FeedEvent, *, auto: bool) -> bool:
        """A change-feed event; with ``auto`` off it is only counted. True when it was counted."""
        self.seen_seq = max(self.seen_seq, event.seq)
        if not auto:
            if event.prescription_id is not None:
                self.missed += 1
                return True
            return False
        if self.loading or not self.loaded_days:
            self.buffered.append(event)  # applied after the board's read
            return False
        pid = event.prescription_id
        if self.fetching and pid is not None and self.target.source_row(pid) is None:
            self.held.append(event)  # about a row being read: applied again once it is there
        self.target.apply(event)
        return False

    def queue_fetch(self, prescription_id: int, event: FeedEvent) -> None:
        """A prescription the board has not got: read it (with whatever else was sent since)."""
        if event.seq <= self.covered_seq:
            return  # committed before the last full read began: that read had it, had it been mine
        if prescription_id in self.absent:
            return  # read before and not in my scope
        clock = self.target.state.clock
        if self.loaded_days and event.at < clock.now() - timedelta(days=self.loaded_days):
            return  # older than the period shown (the feed's backlog)
        since = event.at - FETCH_MARGIN
        self.wanted.add(prescription_id)
        self._fetch_since = since if self._fetch_since is None else min(self._fetch_since, since)
        if not self.fetching:
            self.fetching = True
            self._start(self._fetch())

    async def _fetch(self) -> None:
        """Reads the rows sent since the earliest queued event (the server applies the scope)."""
        try:
            while self._fetch_since is not None:
                since, self._fetch_since = self._fetch_since, None
                wanted, self.wanted = self.wanted, set()
                try:
                    rows = await self.reader.rows(since)
                    if not self._alive():
                        return  # deleted meanwhile
                except ApiProblem as problem:
                    log.warning("board rows after an event not read: %s", problem)
                    await asyncio.sleep(FETCH_RETRY_SECONDS)
                    self._fetch_since = since if self._fetch_since is None else min(since, self._fetch_since)
                    self.wanted |= wanted
                    continue
                self.target.merge(rows)
                held, self.held = self.held, []
                for event in held:
                    if event.prescription_id in self.target.state.positions:
                        self.target.apply(event)
                self.absent |= {pid for pid in wanted if self.target.source_row(pid) is None}
                self._on_fetched()
        finally:
            self.fetching = False
