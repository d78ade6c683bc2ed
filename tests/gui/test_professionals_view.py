"""« Professionnels » (Alt+6) in the real main window against a real server: a professional phones
in; the operator finds them, accepts an offer on their behalf (confirmed first), the other
responder is told it is taken, and the request's history says « par téléphone via la centrale »."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.ui.main_window import MainWindow
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from desktop.ui.professionals.view import ProfessionalsView
from tests.support.details_gui import scene
from tests.support.gui import close_main_window, open_main_window, press, run, wait_for
from tests.support.live import LiveServer

VIA = "par téléphone via la centrale"


def _lines(widget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def _offers(view: ProfessionalsView) -> list[object]:
    assert view.state.status is not None
    return list(view.state.status.open_offers)


def _confirm(view: ProfessionalsView) -> None:
    """« Accepter » / « Confirmer » in the open confirmation."""
    assert view.confirm is not None
    view.confirm.button(QMessageBox.StandardButton.Yes).click()


def _view(main: MainWindow) -> ProfessionalsView:
    view = main.professionals
    assert isinstance(view, ProfessionalsView)
    return view


def test_the_operator_accepts_for_a_professional_who_phones_in(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    with scene(gui_server) as s:
        phoning, other = s.responders

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            view = _view(main)
            await press(main, Qt.Key.Key_6, Qt.KeyboardModifier.AltModifier)
            await wait_for(lambda: main.tabs.currentWidget() is view, what="the tab (Alt+6)")

            view.search.setFocus()
            view.search.setText(phoning.rpps)
            await press(view.search, Qt.Key.Key_Return)
            await wait_for(lambda: view.results.count() == 1, what="the search's result")
            assert phoning.name in view.results.item(0).text()
            assert "Disponible (C&V)" in view.results.item(0).text()
            await press(view.search, Qt.Key.Key_Down)
            await press(view.results, Qt.Key.Key_Return)
            await wait_for(lambda: view.state.status is not None, what="the professional's status")
            assert "Statut : Disponible (C&V)" in view.details.text()
            [offer] = _lines(view.offers)
            assert f"#{s.case_number}" in offer
            assert "reste " in offer
            assert view.accept_button.isEnabled()

            await press(view.offers, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await wait_for(lambda: view.confirm is not None, what="the confirmation")
            assert view.confirm is not None
            assert phoning.name in view.confirm.text()
            _confirm(view)
            await wait_for(lambda: "acceptée pour" in view.message.text(), what="the acceptance")
            await wait_for(lambda: not _offers(view), what="the offers read again")
            assert any(f"#{s.case_number}" in line for line in _lines(view.care))

            answers = s.desk.answers(s.prescription_id)
            assert answers == {phoning.id: "accepted", other.id: "taken"}  # the other one is told

            dialog = main.open_prescription(s.prescription_id)
            assert isinstance(dialog, PrescriptionDialog)
            await wait_for(lambda: dialog.details is not None, what="the details")
            history = _lines(dialog.timeline)
            assert any(f"acceptation par {phoning.name} — {VIA}" in line for line in history), history
            dialog.close()
            await close_main_window(main)

        run(loop, body())


def test_taken_meanwhile_is_said_clearly_and_the_offer_leaves_live(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    with scene(gui_server) as s:
        phoning, other = s.responders

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            view = _view(main)
            await view.show_professional(phoning.id)
            assert len(_offers(view)) == 1
            offer = view.selected_offer()
            assert offer is not None

            # Another professional accepts in the app: the change feed refreshes the offers.
            assert other.client.post(f"/prescriptions/{s.prescription_id}/accept").status_code == 200
            await wait_for(lambda: not _offers(view), what="the offer gone, live")
            assert "Aucune demande en attente" in _lines(view.offers)[0]

            # Had the operator answered meanwhile: the server's clear refusal.
            await view.answer(offer, True)
            assert view.message.text() == f"Trop tard : cette demande a déjà été acceptée par {other.name}"

            view.pause_day.setCurrentIndex(2)  # after tomorrow, later than now + 48 h
            view.pause_time.setText("23:59")
            view.pause_button.click()
            assert view.confirm is None
            assert view.message.text() == "Indisponible jusqu'à : au plus 48 h à partir de maintenant"
            view.pause_time.setText("25h")
            view.pause_button.click()
            assert view.message.text() == "Heure de fin : saisissez-la comme 14:30"
            view.status_buttons["office"].click()
            await wait_for(lambda: view.confirm is not None, what="the confirmation")
            _confirm(view)
            await wait_for(lambda: "Disponible Cabinet" in view.details.text(), what="the new status")
            status = s.get(f"/professionals/{phoning.id}")  # read by the server again
            assert status["professional"]["availability"] == "office"
            await close_main_window(main)

        run(loop, body())
