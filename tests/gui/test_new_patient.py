"""A new patient by keyboard: « Ce patient n'est pas enregistré », the commune from the autocomplete."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.state.wizard.wizard import Step
from desktop.ui.wizard.patient_page import PatientPage
from desktop.ui.wizard.search_page import SearchPage
from tests.support.desktop import operator_account
from tests.support.gui import (
    activate,
    close_main_window,
    line_text,
    open_main_window,
    press,
    run,
    tab,
    type_text,
    wait_for,
)
from tests.support.live import LiveServer, unique_name, unique_phone

ENTER = Qt.Key.Key_Return


def test_a_new_patient_with_the_commune_picked_in_the_autocomplete(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    api = gui_server.client(gui_server.login(username, password))
    last_name, phone = unique_name("NOUVEAU"), unique_phone()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        window = main.new_case()
        wizard = window.wizard
        await activate(window)
        await press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.SEARCH, what="Recherche patient")
        for text in (phone, last_name, "Anaïs", "02/03/1951"):
            await type_text(window, text)
            await tab(window)
        await press(window, ENTER)  # neither a result nor « nouveau » chosen: the step stays
        search = window.pages[Step.SEARCH]
        assert isinstance(search, SearchPage)
        await wait_for(lambda: search.choice_error.text(), what="the message")
        assert search.choice_error.text().startswith("Choisissez un patient dans les résultats")
        # « Ce patient n'est pas enregistré »
        await press(window, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
        assert wizard.search.new_patient  # at once, not after an animated click: Entrée may follow
        await press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.PATIENT, what="Patient")
        page = window.pages[Step.PATIENT]
        assert isinstance(page, PatientPage)
        assert line_text(page, "last_name") == last_name  # the traits are copied

        await press(window, ENTER)  # sex and address missing: messages next to the fields
        await wait_for(lambda: "sex" in wizard.errors, what="the errors")
        assert page.form.errors["sex"].text() == "Ce champ est obligatoire"
        assert window.focusWidget() is page.form.widgets["sex"]  # the first field in error
        await type_text(window, "F")  # Sexe: Féminin
        assert wizard.patient.sex == "F"
        assert page.form.errors["sex"].isHidden()
        await tab(window, 8)  # to « Adresse »
        await type_text(window, "12 rue des Lilas")
        await tab(window)
        await type_text(window, "Évry-Cou")  # Commune: the autocomplete asks the server
        popup = page.completer.popup()
        assert popup is not None
        await wait_for(lambda: popup.isVisible(), what="the commune list")
        await press(popup, Qt.Key.Key_Down)
        await press(popup, ENTER)
        await wait_for(lambda: wizard.patient.commune_insee == "91228", what="the commune chosen")
        assert line_text(page, "postal_code") == "91000"
        await press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.USUAL_PROFESSIONALS, what="Professionnels habituels")
        await press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.QUALIFICATION, what="Qualification")
        for name, value in (
            ("profession_code", "70"),
            ("care_type", "Rééducation"),
            ("care_mode", "visit"),
            ("intervention_delay_minutes", "1440"),
            ("response_delay_minutes", "240"),
            ("comment", "Après une chute"),
        ):
            wizard.set_prescription_field(0, name, value)
        await window.go_next()
        dialog = await wait_for(lambda: main.success, timeout=15, what="the success dialog")
        assert "profession Masseur-kinésithérapeute" in dialog.lines[0]
        found = api.get("/patients", params={"last_name": last_name, "phone": phone}).json()["items"]
        assert [(p["first_name"], p["city"], p["postal_code"]) for p in found] == [
            ("Anaïs", "Évry-Courcouronnes", "91000")
        ]
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
