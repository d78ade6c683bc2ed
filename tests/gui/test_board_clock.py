"""The board against the server's test clock: the countdown (one timer, only the countdown cells
repainted), the priority window, expiry, and the period filter (« 14 derniers jours »)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QPaintEvent

from desktop.state.board import Section
from desktop.ui.board.model import Column
from tests.integration.conftest import start_live
from tests.support.board_gui import cell, open_board, shown
from tests.support.dispatch import Desk, place, prescription
from tests.support.gui import close_main_window, run, wait_for
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: its clock moves forward."""
    yield from start_live("sqlite", tmp_path_factory.mktemp("board-clock"))


@pytest.fixture
def desk(live: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(live)
    yield desk
    desk.close()


class PaintRecorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(event, QPaintEvent):
            self.rects.append(event.rect())
        return False


def test_countdown_priority_window_and_expiry_follow_the_server_clock(
    loop, qtbot, desk: Desk, live: LiveServer, tmp_path: Path
):
    operator, api = desk.staff("operator")
    lat, lon = place()
    usual = desk.responder(lat, lon)
    patient = desk.patient(lat, lon)
    desk.usual(patient["id"], usual)

    async def scenario() -> None:
        main, view = await open_board(live, operator["username"], tmp_path)
        qtbot.addWidget(main)
        sent = desk.post_case(patient["id"], prescription(response_delay_minutes=30), client=api)
        assert sent.status_code == 201, sent.text
        pid = sent.json()["prescriptions"][0]["id"]
        await wait_for(lambda: cell(view, pid, Column.COUNTDOWN), what="the countdown")
        first = cell(view, pid, Column.COUNTDOWN) or ""
        assert first.startswith(("29 min", "30 min")), first
        assert "Priorité aux habituels : 1" in first  # 15 min (or 14 min 5x s)

        table = view.tables[Section.MINE]
        recorder = PaintRecorder()
        await asyncio.sleep(0.3)  # the insertion's own repaint is over
        table.viewport().installEventFilter(recorder)
        await asyncio.sleep(2.2)  # two ticks of the one timer
        table.viewport().removeEventFilter(recorder)
        left = table.columnViewportPosition(Column.COUNTDOWN)
        right = left + table.columnWidth(Column.COUNTDOWN)
        assert recorder.rects, "the countdown was not repainted"
        assert all(left <= r.left() and r.right() < right for r in recorder.rects), recorder.rects
        assert cell(view, pid, Column.COUNTDOWN) != first  # seconds went by

        desk.advance(16 * 60)  # past the priority window: the pool is notified, the event dated then
        await wait_for(
            lambda: "Priorité" not in (cell(view, pid, Column.COUNTDOWN) or "x"), what="the window closed"
        )
        countdown = cell(view, pid, Column.COUNTDOWN) or ""
        assert countdown.startswith(("13 min", "14 min")), countdown
        desk.advance(15 * 60)
        await wait_for(
            lambda: cell(view, pid, Column.STATE) == "Annulé : aucun intervenant n'a accepté dans le délai",
            what="the expiry",
        )
        assert cell(view, pid, Column.COUNTDOWN) == ""
        assert "aucun intervenant" in (cell(view, pid, Column.TIMESTAMPS) or "")
        await close_main_window(main)

    run(loop, scenario(), timeout=60)


def test_the_period_filter_reads_older_rows_when_widened(
    loop, qtbot, desk: Desk, live: LiveServer, tmp_path: Path
):
    operator, api = desk.staff("operator")
    lat, lon = place()
    patient = desk.patient(lat, lon)
    old = desk.post_case(patient["id"], client=api).json()["prescriptions"][0]["id"]
    desk.advance(20 * 24 * 3600)
    recent = desk.post_case(patient["id"], client=api).json()["prescriptions"][0]["id"]

    async def scenario() -> None:
        main, view = await open_board(live, operator["username"], tmp_path)
        qtbot.addWidget(main)
        assert view.period.currentText() == "14 derniers jours"
        assert shown(view, Section.MINE) == {recent}
        view.period.setCurrentIndex(view.period.findData(30))
        await wait_for(lambda: shown(view, Section.MINE) == {old, recent}, what="the older row read")
        view.period.setCurrentIndex(view.period.findData(7))
        assert shown(view, Section.MINE) == {recent}
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
