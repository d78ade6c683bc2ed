"""Issue 18, also seen: the board row's « Horodatage » offers « Déclenchement pour ce patient » (the
tutorial's entry point B): the row's context menu (and Ctrl+Maj+D in the table) opens a new wizard
prefilled with that row's patient. Against a real server, offscreen Qt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.state.wizard.wizard import EntryPoint
from desktop.ui.board.model import SAME_PATIENT_HINT, Column
from desktop.ui.board.view import SAME_PATIENT
from tests.support.board_gui import open_board
from tests.support.details_gui import scene
from tests.support.gui import close_main_window, press, run, wait_for
from tests.support.live import LiveServer


def test_a_board_row_opens_a_case_for_its_patient(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    with scene(gui_server, responders=1) as s:

        async def body() -> None:
            main, board = await open_board(gui_server, s.username, tmp_path)
            qtbot.addWidget(main)
            section = await wait_for(
                lambda: next(
                    (x for x in board.proxies if board.proxy_row_of(x, s.prescription_id) is not None), None
                ),
                what="the case on the board",
            )
            row = board.proxy_row_of(section, s.prescription_id)
            assert row is not None
            table = board.tables[section]
            proxy = board.proxies[section]
            stamps = proxy.index(row, Column.TIMESTAMPS).data(Qt.ItemDataRole.ToolTipRole)
            assert stamps.endswith(SAME_PATIENT_HINT)  # the « Horodatage » says where the entry is
            # The row's context menu carries the entry, in the tutorial's words.
            assert table.contextMenuPolicy() is Qt.ContextMenuPolicy.ActionsContextMenu
            assert [action.text() for action in table.actions()] == [SAME_PATIENT]

            table.setFocus()
            table.setCurrentIndex(proxy.index(row, Column.TIMESTAMPS))
            keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            await press(main, Qt.Key.Key_D, keys)
            window = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
            wizard = window.wizard
            assert wizard.entry is EntryPoint.PATIENT
            assert wizard.search.selected_patient_id == s.patient["id"]
            assert wizard.patient.patient_id == s.patient["id"]
            assert wizard.search.last_name == s.patient["last_name"]
            window.close()

            # The menu's action does the same: another wizard, the same patient.
            table.same_patient_action.trigger()
            other = await wait_for(
                lambda: next((w for w in main.wizards.values() if w is not window), None),
                what="another wizard",
            )
            assert other.wizard.patient.patient_id == s.patient["id"]
            other.close()
            await close_main_window(main)

        run(loop, body())
