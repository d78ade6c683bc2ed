"""The call popup with a fake softphone (above the adapter) and a real server; drafts after a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.state.call_flow import OperatorState
from desktop.state.wizard.wizard import EntryPoint, Step
from shared.validation import format_phone_national
from telephony.events import (
    CallState,
    CallStateChanged,
    IncomingCall,
    RegistrationChanged,
    RegistrationStatus,
)
from tests.support.desktop import operator_account
from tests.support.desktop_phone import FakeSoftphone
from tests.support.gui import activate, close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.live import LiveServer, patient_body


def test_incoming_call_popup_then_new_case_prefilled(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)
    api = gui_server.client(gui_server.login(username, password))
    patient = api.post("/patients", json=patient_body()).json()
    phone = FakeSoftphone()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path, phone)
        qtbot.addWidget(main)
        popup = main.popup
        assert popup is not None
        phone.emit(RegistrationChanged(RegistrationStatus.REGISTERED, 200, "OK", "Enregistré"))
        assert main.status.sip.text() == "Téléphonie : en service"

        phone.emit(
            IncomingCall(
                1, patient["phone"], patient["phone"], "", "centrale", "sip-1", datetime.now(UTC), False
            )
        )
        assert popup.isVisible()  # at once, before the caller is known
        assert popup.number.text() == format_phone_national(patient["phone"])  # « 01 99 00 … »
        assert popup.identity.text() == "Recherche de l'appelant…"
        assert popup.buttons["answer"].text() == "Décrocher (F2)"
        assert popup.buttons["new_case"].text() == "Nouveau déclenchement (F8)"
        assert main.session.screen_pop is not None
        await main.session.screen_pop.drain()
        await wait_for(lambda: patient["last_name"] in popup.identity.text(), what="the identified caller")

        await press(main, Qt.Key.Key_F2)  # Décrocher, from the main window: an application shortcut
        await wait_for(lambda: ("answer", 1) in phone.commands, what="the answer command")
        phone.emit(CallStateChanged(1, CallState.CONFIRMED, 200, "OK"))
        assert main.status.operator.currentText() == OperatorState.IN_CALL.label == "En appel"
        assert popup.phase.text() == "En communication"

        await press(main, Qt.Key.Key_F8)  # Nouveau déclenchement from the call
        window = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
        wizard = window.wizard
        assert wizard.entry is EntryPoint.CALL
        assert wizard.call_record_id
        flow = main.session.flow
        assert flow is not None
        assert wizard.call_record_id == flow.calls[1].record_id
        caller_page = window.pages[Step.CALLER]
        assert caller_page.form.widgets["call_phone"].text() == wizard.caller.call_phone != ""
        assert wizard.caller.call_phone.replace(" ", "") == "0" + patient["phone"][3:]
        await close_main_window(main)

    run(loop, scenario(), timeout=40)


def test_a_draft_is_offered_again_after_the_window_is_destroyed(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        await press(main, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        window = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
        await activate(window)
        await press(window, Qt.Key.Key_Return)
        await wait_for(lambda: window.wizard.step is Step.SEARCH, what="Recherche patient")
        await type_text(window, "01 99 00 12 34")
        await press(window, Qt.Key.Key_Tab)
        await type_text(window, "Lefèvre")
        draft_id = window.wizard.draft_id
        await close_main_window(main)  # the desktop goes away mid-wizard
        window.deleteLater()
        main.deleteLater()

        again = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(again)
        dialog = again.offer_drafts()
        assert dialog is not None
        assert dialog.list.count() == 1
        assert "Lefèvre" in dialog.list.item(0).text()
        assert "étape 2 « Recherche patient »" in dialog.list.item(0).text()
        await activate(dialog)
        await press(dialog, Qt.Key.Key_Return)  # « Reprendre » is the default button
        restored = await wait_for(lambda: again.wizards.get(draft_id), what="the restored wizard")
        assert restored.wizard.step is Step.SEARCH
        widgets = restored.pages[Step.SEARCH].form.widgets
        assert widgets["phone"].text() == "01 99 00 12 34"
        assert widgets["last_name"].text() == "Lefèvre"
        await close_main_window(again)

    run(loop, scenario(), timeout=40)
