"""The board's Qt model without a server: an event signals its row only (never a reset), a new row is
inserted, the section proxies filter and sort, and thousands of events leave `True` alone (PySide
6.12.0's `emit` drops a reference to it: pyproject.toml keeps PySide below 6.12, this catches an
upgrade to a release with the bug)."""

from __future__ import annotations

import sys
from datetime import timedelta

from PySide6.QtCore import Qt

from desktop.state.board import BoardFilter, BoardRow, Section, ServerClock
from desktop.ui.board.model import BoardModel, Column
from desktop.ui.board.proxy import BoardProxy
from tests.support.board_views import T0, event, view


def model_with(count: int) -> BoardModel:
    model = BoardModel()
    model.state.clock = ServerClock(local=lambda: T0)
    model.replace(
        BoardRow.from_view(view(pid, sent_at=T0 - timedelta(minutes=pid)), Section(pid % 2))
        for pid in range(1, count + 1)
    )
    return model


def test_an_event_signals_its_row_only_and_a_new_row_is_inserted(qapp) -> None:
    model = model_with(100)
    proxies = [BoardProxy(model, Section.MINE), BoardProxy(model, Section.SUPERVISED)]
    signals: list[tuple[str, object]] = []
    model.modelReset.connect(lambda: signals.append(("reset", None)))
    model.dataChanged.connect(lambda a, b, _roles=(): signals.append(("changed", (a.row(), b.row()))))
    model.rowsInserted.connect(lambda _p, first, last: signals.append(("inserted", (first, last))))
    position = model.source_row(42)
    assert model.apply(event(1, "accepted", 42, accepted_by_name="DUPONT Anne")) == position
    assert signals == [("changed", (position, position))]
    signals.clear()
    assert model.apply(event(2, "accepted", 42, accepted_by_name="DUPONT Anne")) is None  # replayed
    assert signals == []
    fetched: list[int] = []
    model.fetch_needed.connect(lambda pid, _event: fetched.append(pid))
    model.apply(event(3, "sent", 500, state="pending", notified_count=2))
    assert fetched == [500]
    model.merge([BoardRow.from_view(view(500, sent_at=T0), Section.MINE)])
    assert signals == [("inserted", (100, 100))]
    mine = proxies[Section.MINE]
    assert mine.index(0, Column.NUMBER).data() == "#30000500"  # latest first
    assert mine.rowCount() == 51
    mine.set_filter(BoardFilter(number="30000042"))
    assert mine.rowCount() == 1
    assert proxies[Section.SUPERVISED].rowCount() == 50
    mine.sort(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    mine.set_filter(BoardFilter())
    assert [mine.index(r, Column.NUMBER).data() for r in range(2)] == ["#30000002", "#30000004"]


def test_a_page_repeating_a_row_inserts_it_once(qapp) -> None:
    """A case created during a full read shifts the next page by one: its first row comes again."""
    model = model_with(3)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    again = [BoardRow.from_view(view(pid, sent_at=T0), Section.MINE) for pid in (3, 4, 4, 5)]
    model.merge(again)
    assert inserted == [(3, 4)]  # 4 and 5, each once; 3 was there
    assert [model.source_row(pid) for pid in (3, 4, 5)] == [2, 3, 4]
    assert model.rowCount() == 5


def test_thousands_of_events_do_not_wear_out_true(qapp) -> None:
    model = model_with(1000)
    proxy = BoardProxy(model, Section.MINE)
    before = sys.getrefcount(True)
    for n in range(3000):
        pid = 1 + n % 1000
        kind = ("accepted", "started", "finished")[n // 1000]
        model.apply(event(n + 1, kind, pid, accepted_by_name="X"))
    assert sys.getrefcount(True) >= before - 10
    assert proxy.rowCount() == 500
