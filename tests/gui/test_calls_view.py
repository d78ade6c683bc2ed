"""« Appels » against a real server: missed calls to return with « Rappeler » (click-to-call
through a fake softphone, else the number shown), the server taking the callback once; the call
log with the cases created during each call; the tab in the main window (Alt+4)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.calls.view import CallsView
from shared.validation import format_phone_national
from tests.support.desktop import operator_account
from tests.support.desktop_phone import FakeSoftphone
from tests.support.gui import close_main_window, open_main_window, press, run, wait_for
from tests.support.live import LiveServer
from tests.support.supervision_gui import api_client, cell, column_texts, post_call


def test_a_missed_call_is_called_back_in_one_click(loop, qtbot, gui_server: LiveServer):
    username, password, _operator = operator_account(gui_server)
    http = gui_server.client(gui_server.login(username, password))
    missed = post_call(http)
    answered = post_call(http, outcome="completed", duration_seconds=95, case_numbers=["4711", "4712"])
    phone = FakeSoftphone()

    async def scenario() -> None:
        client = await api_client(gui_server.process.base_url, username, password)
        view = CallsView(SupervisionApi(client), phone)
        qtbot.addWidget(view)
        view.show()
        await view.refresh()
        number = format_phone_national(missed["remote_number"])
        assert column_texts(view.missed, 1) == [number]  # only the missed one is to return
        assert view.buttons[missed["id"]].text() == "Rappeler"
        log_numbers = column_texts(view.log, 2)
        assert format_phone_national(answered["remote_number"]) in log_numbers
        row = log_numbers.index(format_phone_national(answered["remote_number"]))
        assert cell(view.log, row, 7) == "#4711, #4712"  # the cases created during the call
        assert cell(view.log, row, 4) == "Abouti"
        assert cell(view.log, row, 5) == "1 min 35"

        view.buttons[missed["id"]].click()  # one click
        await wait_for(lambda: ("call", missed["remote_number"]) in phone.commands, what="the click-to-call")
        await wait_for(lambda: view.missed.rowCount() == 0, what="the list read again")
        assert view.message.text() == f"Rappel de {number} en cours…"
        await client.aclose()

    run(loop, scenario(), timeout=30)
    # The server has the callback: no longer to call back, and the log says who took it.
    assert http.get("/calls", params={"to_call_back": "true"}).json() == []
    logged = {c["id"]: c for c in http.get("/calls").json()}
    assert logged[missed["id"]]["callback_by"] == "Operator de test"
    assert logged[missed["id"]]["callback_at"] is not None


def test_without_a_softphone_the_number_is_shown_and_the_call_stays_until_called_by_other_means(
    loop, qtbot, gui_server: LiveServer
):
    """Issue 18 (2): showing a number takes nothing; « Rappelé par un autre moyen » does, once."""
    username, password, _operator = operator_account(gui_server)
    http = gui_server.client(gui_server.login(username, password))
    first = post_call(http)
    second = post_call(http, outcome="rejected")
    supervisor, supervisor_http = gui_server.user("supervisor")

    async def scenario() -> None:
        client = await api_client(gui_server.process.base_url, username, password)
        view = CallsView(SupervisionApi(client), None)
        qtbot.addWidget(view)
        view.show()
        await view.refresh()
        assert set(view.buttons) == {first["id"], second["id"]}
        assert view.other_means[first["id"]].text() == "Rappelé par un autre moyen"

        view.missed.setFocus()
        row = column_texts(view.missed, 1).index(format_phone_national(first["remote_number"]))
        view.missed.selectRow(row)
        await press(view.missed, Qt.Key.Key_Return)  # Entrée: « Rappeler » the chosen line
        number = format_phone_national(first["remote_number"])
        assert view.message.text() == (
            f"Pas de téléphone sur ce poste : composez le {number} pour rappeler Appelant inconnu, "
            "puis « Rappelé par un autre moyen » (l'appel reste à rappeler d'ici là)"
        )
        await view.refresh()
        assert set(view.buttons) == {first["id"], second["id"]}  # nothing was taken
        to_call_back = {c["id"] for c in http.get("/calls", params={"to_call_back": "true"}).json()}
        assert to_call_back == {first["id"], second["id"]}

        # A supervisor (who sees every call) takes the second callback meanwhile.
        taken = supervisor_http.post(f"/calls/{second['id']}/callback", json={"note": ""})
        assert taken.status_code == 200, taken.text
        view.other_means[second["id"]].click()  # the view still shows it: the server refuses
        await wait_for(lambda: "Rappel impossible" in view.message.text(), what="the refusal")
        assert view.message.text() == (
            f"Rappel impossible : Rappel déjà pris en charge par {supervisor['display_name']}"
        )
        await wait_for(lambda: set(view.buttons) == {first["id"]}, what="the list read again")

        view.missed.setFocus()
        view.missed.selectRow(0)
        await press(view.missed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the other means
        await wait_for(lambda: view.missed.rowCount() == 0, what="the list read again")
        assert view.message.text() == f"{number} : noté « Rappelé par un autre moyen »"
        await client.aclose()

    run(loop, scenario(), timeout=30)
    assert http.get("/calls", params={"to_call_back": "true"}).json() == []
    logged = {c["id"]: c for c in http.get("/calls").json()}
    assert logged[first["id"]]["callback_note"] == "Rappelé par un autre moyen"
    assert logged[first["id"]]["callback_by"] == "Operator de test"


def test_the_calls_tab_in_the_main_window_follows_the_change_feed(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    http = gui_server.client(gui_server.login(username, password))

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        view = main.calls_view
        assert view is not None
        await press(main, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
        assert main.tabs.currentWidget() is view
        await wait_for(lambda: view.status.text() != "", what="the first read")
        assert view.missed.rowCount() == 0
        missed = post_call(http)  # another desktop's softphone logs a missed call
        number = format_phone_national(missed["remote_number"])
        await wait_for(lambda: column_texts(view.missed, 1) == [number], what="the call from the change feed")
        await close_main_window(main)

    run(loop, scenario(), timeout=30)
