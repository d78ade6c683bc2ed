"""Issue 18, item 4: Entrée in a comment posts it once. In the details dialog the « + Ajouter »
button is an auto-default button: with `returnPressed` connected to it, the line edit's signal and
the dialog's default button both fired — two comments on the server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.ui.prescription.details_dialog import PrescriptionDialog
from tests.support.details_gui import scene
from tests.support.gui import activate, close_main_window, open_main_window, run, type_text, wait_for
from tests.support.live import LiveServer


def test_enter_in_a_comment_posts_it_once(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    with scene(gui_server, responders=1) as s:

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            dialog = main.open_prescription(s.prescription_id)
            assert isinstance(dialog, PrescriptionDialog)
            await wait_for(lambda: dialog.details is not None, what="the details")
            await activate(dialog)
            dialog.tabs.setCurrentWidget(dialog.comments)
            tab = dialog.comments
            tab.text.setFocus()
            await type_text(tab.text, "Patient prévenu par téléphone")
            QTest.keyClick(tab.text, Qt.Key.Key_Return)
            await wait_for(lambda: tab.text.text() == "", what="the comment sent")
            await asyncio.sleep(0.5)  # a second post would have left by now
            comments = s.get(f"/prescriptions/{s.prescription_id}/comments")
            texts = [c["text"] for c in comments]
            assert texts.count("Patient prévenu par téléphone") == 1, texts
            tab.tag.setFocus()
            await type_text(tab.tag, "URGENT")
            tab.text.setText("Rappeler la famille")
            QTest.keyClick(tab.tag, Qt.Key.Key_Enter)  # the keypad's Entrée, from the tag
            await wait_for(lambda: tab.text.text() == "", what="the second comment sent")
            await asyncio.sleep(0.5)
            texts = [c["text"] for c in s.get(f"/prescriptions/{s.prescription_id}/comments")]
            assert texts.count("Rappeler la famille") == 1, texts
            assert dialog.isVisible()  # Entrée did not close the dialog either
            dialog.close()
            await close_main_window(main)

        run(loop, body(), timeout=40)
