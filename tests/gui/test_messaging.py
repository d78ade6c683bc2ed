"""« Messagerie » in the desktop (issue 20), offscreen Qt against a real server: « Nouveau message »
by keyboard (3 letters, ticks, Ctrl+Entrée), live messages and the unread badge in the tab's
title, the tray notice (no text), an attachment sent and opened, adding people, leaving; and
« Écrire au professionnel » from a request's details (the acceptor ticked, the thread linked)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.state.tray_notices import NoticeKind
from desktop.ui.main_window import MainWindow
from desktop.ui.messaging import Messaging
from desktop.ui.messaging.new_thread import NewThreadDialog
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from tests.support.details_gui import scene
from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.live import PASSWORD, LiveServer, unique_name
from tests.support.messaging import PNG

LIVE_LIMIT_S = 1.0


def installed(window: MainWindow) -> Messaging:
    messaging = window.messaging
    assert messaging is not None
    return messaging


async def pick(dialog: NewThreadDialog | Any, name: str, user_id: int) -> None:
    """Types the name in the search (the focus is there), waits for the results, ticks the person."""
    picker = dialog.picker
    picker.search.setFocus()
    picker.search.clear()
    await type_text(dialog, name)
    await wait_for(lambda: picker.tick(user_id), what=f"{name} in the results")


def server_thread(client: httpx.Client, thread_id: int) -> dict[str, Any]:
    response = client.get(f"/threads/{thread_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_new_message_live_badge_notice_attachment_and_leaving(
    qapp: QApplication, loop: asyncio.AbstractEventLoop, gui_server: LiveServer, tmp_path: Path
) -> None:
    desk = Desk.open(gui_server)
    user, operator_api = desk.staff("operator")
    last = unique_name("Messagier")
    anne_profile, anne = gui_server.professional(last_name=last, first_name="Anne")
    bruno_last = unique_name("Ajout")
    bruno_profile, _bruno = gui_server.professional(last_name=bruno_last, first_name="Bruno")

    async def body() -> None:
        window = await open_main_window(gui_server.process.base_url, user["username"], PASSWORD, tmp_path)
        messaging = installed(window)
        view = messaging.view
        try:
            await press(window, Qt.Key.Key_8, Qt.KeyboardModifier.AltModifier)
            await wait_for(lambda: window.tabs.currentWidget() is view, what="« Messagerie » in front")
            await wait_for(lambda: view.loaded, what="the list read")
            assert view.tab_text() == "Messagerie"
            await press(
                window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            )
            dialog = await wait_for(lambda: view.new_dialog, what="« Nouveau message »")
            await type_text(dialog, last[:2])
            assert dialog.picker.hint.text() == "Saisissez au moins 3 lettres du nom"
            await pick(dialog, last, int(anne_profile["user_id"]))
            assert last.upper() in dialog.picker.ticked.text().upper()
            dialog.subject.setFocus()
            await type_text(dialog, "Visite du soir")
            dialog.text.setFocus()
            await type_text(dialog, "Bonjour, qui passe ce soir ?")
            await press(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            opened = await wait_for(lambda: messaging.service.open_thread, what="the thread open")
            thread_id = opened.thread.id
            assert "Visite du soir" in view.pane.header.text()
            assert any("Bonjour, qui passe ce soir ?" in line for line in view.pane.texts())

            # Anne answers through the API: in the open thread within a second, read at once.
            started = loop.time()
            answered = anne.post(f"/threads/{thread_id}/messages", json={"text": "J'y serai à 19 h."})
            assert answered.status_code == 201, answered.text
            await wait_for(
                lambda: any("J'y serai à 19 h." in t for t in view.pane.texts()), what="the answer"
            )
            assert loop.time() - started < LIVE_LIMIT_S
            await wait_for(
                lambda: server_thread(operator_api, thread_id)["unread"] == 0, what="read when shown"
            )

            # Away from the tab: the badge counts it, the tray (here the status bar) says who, not what.
            await press(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
            notifier = window.supervision.notifier if window.supervision is not None else None
            assert notifier is not None
            before = len(notifier.shown)
            assert anne.post(f"/threads/{thread_id}/messages", json={"text": "Code 1234B"}).status_code == 201
            await wait_for(lambda: view.tab_text() == "Messagerie (1)", what="the badge")
            notice = await wait_for(lambda: notifier.shown[before:] and notifier.shown[-1], what="the notice")
            assert notice.kind is NoticeKind.MESSAGE
            names = {p["user_id"]: p["name"] for p in server_thread(operator_api, thread_id)["participants"]}
            assert notice.title == f"Nouveau message de {names[int(anne_profile['user_id'])]}"
            assert "1234B" not in notice.title + notice.message
            assert "Visite du soir" in notice.message
            await press(window, Qt.Key.Key_8, Qt.KeyboardModifier.AltModifier)
            await wait_for(lambda: view.tab_text() == "Messagerie", what="the badge gone once shown")
            assert server_thread(operator_api, thread_id)["unread"] == 0

            # An attachment: checked, sent, listed under the message, opened through a private copy.
            picture = tmp_path / "plaie.png"
            picture.write_bytes(PNG)
            refused = tmp_path / "faux.png"
            refused.write_bytes(b"pas une image")
            compose = view.pane.compose
            assert not compose.add_file(refused)
            assert "refusé" in compose.message.text()
            assert compose.add_file(picture)
            compose.text.setFocus()
            await type_text(view, "Photo de la plaie")
            await press(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_for(
                lambda: any("Pièce jointe : plaie.png" in t for t in view.pane.texts()), what="the file"
            )
            assert compose.text.toPlainText() == ""
            opened_urls: list[QUrl] = []
            view.pane.open_url = opened_urls.append
            row = next(i for i, t in enumerate(view.pane.texts()) if "Pièce jointe : plaie.png" in t)
            view.pane.messages.setCurrentRow(row)
            view.pane.messages.setFocus()
            await press(view.pane.messages, Qt.Key.Key_Return)
            await wait_for(lambda: opened_urls, what="the attachment opened")
            assert Path(opened_urls[0].toLocalFile()).read_bytes() == PNG

            # Add Bruno (Alt+A), then leave (asked first): the compose box goes, the thread stays.
            await press(view, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
            adding = await wait_for(
                lambda: view.pane.participants_dialog, what="« Ajouter des participants »"
            )
            await pick(adding, bruno_last, int(bruno_profile["user_id"]))
            await press(adding, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_for(lambda: view.pane.participants_dialog is None, what="the dialog closed")
            people = {p["user_id"] for p in server_thread(operator_api, thread_id)["participants"]}
            assert int(bruno_profile["user_id"]) in people
            box = view.pane.ask_leave()
            assert box.defaultButton().text() == "Rester"
            assert box.icon() is QMessageBox.Icon.Question
            leave = next(b for b in box.buttons() if b.text() == "Quitter la conversation")
            leave.click()
            await wait_for(lambda: server_thread(operator_api, thread_id)["left"], what="left on the server")
            await wait_for(lambda: not compose.send_button.isEnabled(), what="read-only")
            assert "quitté" in view.pane.note.text()
        finally:
            await close_main_window(window)

    try:
        run(loop, body(), timeout=90)
    finally:
        desk.close()


def test_write_to_the_professional_from_a_request(
    qapp: QApplication, loop: asyncio.AbstractEventLoop, gui_server: LiveServer, tmp_path: Path
) -> None:
    with scene(gui_server, responders=1) as found:
        acceptor = found.responders[0]
        accepted = acceptor.client.post(f"/prescriptions/{found.prescription_id}/accept")
        assert accepted.status_code == 200, accepted.text

        async def body() -> None:
            window = await open_main_window(gui_server.process.base_url, found.username, PASSWORD, tmp_path)
            try:
                details = window.open_prescription(found.prescription_id)
                assert isinstance(details, PrescriptionDialog)
                await wait_for(lambda: details.write.isEnabled(), what="the request read")
                details.activateWindow()
                await wait_for(lambda: QApplication.activeWindow() is details, what="the details active")
                await press(details, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
                dialog = await wait_for(lambda: installed(window).view.new_dialog, what="« Nouveau message »")
                assert dialog.picker.chosen.is_ticked(acceptor.id)
                assert f"#{found.case_number.lstrip('#')}" in dialog.subject.text()
                dialog.text.setFocus()
                await type_text(dialog, "Pouvez-vous confirmer le passage ?")
                await press(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
                opened = await wait_for(lambda: installed(window).service.open_thread, what="the thread")
                made = server_thread(found.operator, opened.thread.id)
                assert made["prescription_id"] == found.prescription_id
                assert acceptor.id in {p["user_id"] for p in made["participants"]}
                assert made["patient"]["id"] == found.patient["id"]
                details.close()
            finally:
                await close_main_window(window)

        run(loop, body(), timeout=60)
