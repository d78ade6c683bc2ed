"""Helpers of the board's GUI tests: a main window on the board's tab, and what a row shows."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.state.board import Section
from desktop.ui.board.model import ROW_ID_ROLE, Column
from desktop.ui.board.view import BoardView
from desktop.ui.main_window import MainWindow
from tests.support.gui import open_main_window, wait_for
from tests.support.live import PASSWORD, LiveServer


async def open_board(live: LiveServer, username: str, directory: Path) -> tuple[MainWindow, BoardView]:
    """The main window of `username` with its board read once, on the board's tab."""
    main = await open_main_window(live.process.base_url, username, PASSWORD, directory)
    view = main.board
    assert isinstance(view, BoardView)
    main.tabs.setCurrentWidget(view)
    await wait_for(lambda: view.loaded_days > 0, what="the board's first read")
    return main, view


def cell(view: BoardView, prescription_id: int, column: Column, section: Section | None = None) -> str | None:
    """The text a row shows in a column (None: the row is not shown in that section)."""
    sections = [section] if section is not None else list(view.proxies)
    for each in sections:
        row = view.proxy_row_of(each, prescription_id)
        if row is not None:
            text = view.proxies[each].index(row, column).data()
            return str(text)
    return None


def shown(view: BoardView, section: Section) -> set[int]:
    proxy = view.proxies[section]
    return {int(proxy.index(r, 0).data(ROW_ID_ROLE)) for r in range(proxy.rowCount())}


async def changes_within(seconds: float, condition: Callable[[], Any], what: str) -> float:
    """Waits for `condition`; returns how long it took, failing past `seconds`."""
    started = time.monotonic()
    await wait_for(condition, timeout=seconds, what=what)
    return time.monotonic() - started
