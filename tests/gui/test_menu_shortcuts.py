"""Issue 18, also seen: « doubled shortcut texts ». A menu shows an action's shortcut in its own
column, so an action whose text also carries it (« Quitter (Ctrl+Q) ») showed it twice. Every menu
action of a supervisor's main window (the one with the most menus) is checked against the pattern."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, run
from tests.support.live import PASSWORD, LiveServer


def test_no_menu_action_says_its_shortcut_twice(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    supervisor, _ = Desk.open(gui_server).staff("supervisor")

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, supervisor["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        try:
            menus = [menu for a in main.menuBar().actions() if isinstance(menu := a.menu(), QMenu)]
            actions = [action for menu in menus for action in menu.actions() if not action.isSeparator()]
            texts = {action.text() for action in actions}
            assert {"Quitter", "Mode mur d'écran"} <= texts, texts  # both menus are there
            for action in actions:
                shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if shortcut:
                    assert shortcut not in action.text(), f"{action.text()!r} repeats {shortcut}"
        finally:
            await close_main_window(main)

    run(loop, scenario())
