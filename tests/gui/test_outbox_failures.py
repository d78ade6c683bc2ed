"""« Mes envois »: a case refused by the server (« Échec de l'envoi », a look-alike patient) shows
the server's French message, is reopened in the wizard with every field and sent again as the
same item (a new idempotency key: its content changed), or discarded after a confirmation; a sent
item and the success dialog start « Nouveau déclenchement pour ce patient »."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.state.wizard.wizard import EntryPoint, Operator, Step, Wizard
from desktop.store import OutboxState
from desktop.ui.main_window import MainWindow
from desktop.ui.wizard.search_page import SearchPage
from desktop.ui.wizard.window import WizardWindow
from tests.support.desktop import EVRY, operator_account
from tests.support.gui import activate, close_main_window, open_main_window, press, run, wait_for
from tests.support.live import LiveServer, patient_body

DUPLICATE = "Ce patient ressemble à un patient déjà enregistré"


def look_alike_wizard(operator: Operator, patient: dict[str, Any]) -> Wizard:
    """A new-patient case with the traits of a patient the server has (typed faster than the live
    search: no look-alike was on screen, so nothing was acknowledged), on « Qualification »."""
    wizard = Wizard.from_dashboard(operator)
    assert wizard.next(), wizard.errors
    search = wizard.search
    search.phone, search.last_name, search.first_name = patient["phone"], patient["last_name"], "Hélène"
    search.birth_date = date.fromisoformat(patient["birth_date"]).strftime("%d/%m/%Y")
    wizard.choose_new_patient()
    assert wizard.next(), wizard.errors
    wizard.set_field(Step.PATIENT, "sex", "F")
    wizard.set_field(Step.PATIENT, "address_line", "12 rue des Lilas")
    wizard.patient.choose_commune(EVRY)
    assert wizard.next(), wizard.errors
    assert wizard.next(), wizard.errors
    for name, value in (
        ("profession_code", "60"),
        ("care_type", "Pansement"),
        ("care_mode", "visit"),
        ("intervention_delay_minutes", "60"),
        ("response_delay_minutes", "30"),
        ("comment", "Pansement quotidien"),
    ):
        wizard.set_prescription_field(0, name, value)
    return wizard


async def refused_item(main: MainWindow, operator: Operator, patient: dict[str, Any]) -> int:
    window = main.open_wizard(look_alike_wizard(operator, patient))
    await window.go_next()  # « Déclencher »
    dialog = await wait_for(lambda: main.success, what="the outcome dialog")
    assert dialog.windowTitle() == "Échec de l'envoi"
    assert DUPLICATE in dialog.lines[0]
    dialog.accept()
    main.success = None
    item = main.session.store.outbox.items()[-1]
    assert item.state is OutboxState.FAILED
    return item.id


def test_a_refused_case_reopened_settled_and_sent_once(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, operator = operator_account(gui_server)
    api = gui_server.client(gui_server.login(username, password))
    patient = api.post("/patients", json=patient_body()).json()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        main.send_wait = 5.0
        item_id = await refused_item(main, operator, patient)
        outbox = main.session.store.outbox
        first_key = outbox.get(item_id).idempotency_key
        view = main.outbox_view
        assert view.list.item(0).text().startswith("Échec de l'envoi")
        view.select(item_id)
        assert DUPLICATE in view.detail.text()  # the server's French message
        assert view.reopen_button.isVisible()
        assert view.discard_button.isVisible()

        view.list.setFocus()
        await press(view.list, Qt.Key.Key_Return)  # Entrée: « Reprendre dans l'assistant »
        window: WizardWindow = await wait_for(
            lambda: next(iter(main.wizards.values()), None), what="reopened"
        )
        wizard = window.wizard
        assert wizard.step is Step.SEARCH
        assert wizard.patient.address_line == "12 rue des Lilas"  # every field kept
        assert wizard.qualification.prescriptions[0].comment == "Pansement quotidien"
        page = window.pages[Step.SEARCH]
        assert isinstance(page, SearchPage)
        assert DUPLICATE in window.message.text()
        assert not window.message.isHidden()
        ids = [page.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(page.results.count())]
        assert patient["id"] in ids  # the look-alike listed, to pick
        page.results.setCurrentRow(ids.index(patient["id"]))  # « C'est ce patient »
        await wait_for(lambda: wizard.patient.patient_id == patient["id"], what="the patient loaded")
        for step in (Step.PATIENT, Step.USUAL_PROFESSIONALS, Step.QUALIFICATION):
            await window.go_next()
            assert wizard.step is step, wizard.errors
        await window.go_next()  # « Déclencher »: the same item, revised
        dialog = await wait_for(lambda: main.success, what="the success dialog")
        assert dialog.windowTitle().startswith(("Déclenchement réussi", "Déclenchement envoyé"))  # sent
        [item] = outbox.items()
        assert item.id == item_id
        assert item.state is OutboxState.SENT
        assert item.idempotency_key != first_key  # the patient changed: a new key
        assert item.result is not None
        found = api.get("/prescriptions", params={"number": item.result["number"].lstrip("#")}).json()
        assert [p["patient"]["id"] for p in found] == [patient["id"]]
        twins = api.get("/patients", params={"last_name": patient["last_name"]}).json()["items"]
        assert len(twins) == 1  # no second patient created

        assert dialog.same.isVisible()
        await activate(dialog)
        await press(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # « pour ce patient »
        again = await wait_for(
            lambda: next((w for w in main.wizards.values() if w is not window), None), what="same patient"
        )
        assert again.wizard.patient.patient_id == patient["id"]
        assert again.wizard.caller.caller_name == wizard.caller.caller_name
        again.close()

        view.select(item_id)  # a sent item: Entrée starts another case for its patient
        assert view.patient_button.isVisible()
        assert not view.reopen_button.isVisible()
        view.list.setFocus()
        await press(view.list, Qt.Key.Key_Return)
        third = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
        assert third.wizard.entry is EntryPoint.PATIENT
        assert third.wizard.patient.patient_id == patient["id"]
        assert third.wizard.search.selected_patient_id == patient["id"]
        await close_main_window(main)

    run(loop, scenario(), timeout=60)


def test_a_refused_case_discarded_after_confirmation(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, operator = operator_account(gui_server)
    api = gui_server.client(gui_server.login(username, password))
    patient = api.post("/patients", json=patient_body()).json()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        item_id = await refused_item(main, operator, patient)
        view = main.outbox_view
        view.select(item_id)
        await activate(main)  # the wizard window was closed by the sending
        view.list.setFocus()
        await press(view.list, Qt.Key.Key_Delete)  # « Abandonner » asks first
        box = await wait_for(lambda: view.confirm, what="the confirmation")
        box.button(QMessageBox.StandardButton.No).click()  # « Garder »
        await wait_for(lambda: view.confirm is None, what="the answer")
        assert [i.id for i in main.session.store.outbox.items()] == [item_id]

        view.select(item_id)
        view.discard_button.click()
        box = await wait_for(lambda: view.confirm, what="the confirmation")
        assert box.button(QMessageBox.StandardButton.Yes).text() == "Abandonner"
        box.button(QMessageBox.StandardButton.Yes).click()
        await wait_for(lambda: main.session.store.outbox.items() == [], what="the item discarded")
        assert view.list.count() == 0
        await close_main_window(main)

    run(loop, scenario(), timeout=40)


def test_the_failure_dialog_reopens_the_case_at_once(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, operator = operator_account(gui_server)
    api = gui_server.client(gui_server.login(username, password))
    patient = api.post("/patients", json=patient_body()).json()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        window = main.open_wizard(look_alike_wizard(operator, patient))
        await window.go_next()  # « Déclencher »: refused
        dialog = await wait_for(lambda: main.success, what="the outcome dialog")
        assert dialog.windowTitle() == "Échec de l'envoi"
        assert dialog.reopen_button.isVisible()
        assert not dialog.same.isVisible()
        await activate(dialog)
        await press(dialog, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # « Reprendre dans l'assistant »
        reopened = await wait_for(lambda: next(iter(main.wizards.values()), None), what="reopened")
        assert reopened.wizard.step is Step.SEARCH
        assert DUPLICATE in reopened.message.text()
        assert reopened.wizard.draft_id == window.wizard.draft_id  # the same case, to revise
        await close_main_window(main)

    run(loop, scenario(), timeout=40)
