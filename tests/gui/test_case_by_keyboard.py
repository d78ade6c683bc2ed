"""A whole case for a known patient, keyboard only, against a real server."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.state.wizard.wizard import Step
from tests.support.desktop import operator_account
from tests.support.gui import (
    activate,
    close_main_window,
    open_main_window,
    press,
    run,
    tab,
    type_text,
    wait_for,
)
from tests.support.live import LiveServer, patient_body

ENTER = Qt.Key.Key_Return


def test_a_known_patient_case_by_keyboard_only(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)
    api = gui_server.client(gui_server.login(username, password))
    patient = api.post("/patients", json=patient_body()).json()
    day, month, year = patient["birth_date"][8:10], patient["birth_date"][5:7], patient["birth_date"][:4]

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        await press(main, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # « Nouveau déclenchement »
        wizard_window = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
        wizard = wizard_window.wizard
        await activate(wizard_window)
        assert wizard.caller.caller_name == wizard.caller.caller_name.strip() != ""  # the operator
        await press(wizard_window, ENTER)  # 1 Appelant: the operator calls for herself
        await wait_for(lambda: wizard.step is Step.SEARCH, what="Recherche patient")

        await type_text(wizard_window, patient["phone"])
        await tab(wizard_window)
        await type_text(wizard_window, patient["last_name"])
        await tab(wizard_window)
        await type_text(wizard_window, patient["first_name"])
        await tab(wizard_window)
        await type_text(wizard_window, f"{day}/{month}/{year}")
        page = wizard_window.pages[Step.SEARCH]
        await wait_for(lambda: page.results.count() == 1, what="the live search result")
        await tab(wizard_window)  # to the results
        await press(wizard_window, Qt.Key.Key_Down)
        await press(wizard_window, ENTER)
        await wait_for(lambda: wizard.step is Step.PATIENT, what="Patient")
        assert wizard.patient.patient_id == patient["id"]
        assert wizard_window.pages[Step.PATIENT].form.widgets["last_name"].text() == patient["last_name"]

        await press(wizard_window, ENTER)  # 3 Patient: known, nothing to change
        await wait_for(lambda: wizard.step is Step.USUAL_PROFESSIONALS, what="Professionnels habituels")
        await press(wizard_window, ENTER)  # 4 optional
        await wait_for(lambda: wizard.step is Step.QUALIFICATION, what="Qualification")

        await press(wizard_window, ENTER)  # nothing typed yet: inline errors, the step stays
        await wait_for(lambda: wizard.errors, what="the errors")
        tab_page = wizard_window.pages[Step.QUALIFICATION]._tabs[0]
        assert tab_page.form.errors["comment"].text() == "Le commentaire est obligatoire"
        assert not tab_page.form.errors["comment"].isHidden()
        tab_page.form.widgets["profession_code"].setFocus()  # where the errors left the focus

        await type_text(wizard_window, "Infirmier")  # Intervenant (combo: typing picks)
        await tab(wizard_window, 2)  # past « Restreindre au réseau »
        await type_text(wizard_window, "Pansement")  # Soins
        await tab(wizard_window)
        await type_text(wizard_window, "Visite")  # Type PeC
        await tab(wizard_window, 4)  # past date, heure, fuseau
        await type_text(wizard_window, "1 h")  # délai d'intervention: 1 heure
        await tab(wizard_window, 3)  # past nb jours, passages/jour
        await type_text(wizard_window, "30")  # délai de réponse: 30 minutes
        await tab(wizard_window)
        await type_text(wizard_window, "Pansement d'ulcère, tous les jours")
        form = wizard.qualification.prescriptions[0]
        assert (form.profession_code, form.care_mode) == ("60", "visit")
        assert (form.intervention_delay_minutes, form.response_delay_minutes) == ("60", "30")
        await tab(wizard_window)  # out of the comment: Enter is « Déclencher » again
        await press(wizard_window, ENTER)

        dialog = await wait_for(lambda: main.success, timeout=15, what="the success dialog")
        assert dialog.isVisible()
        assert len(dialog.lines) == 1
        line = dialog.lines[0]
        assert "soin Pansement, profession Infirmier" in line
        assert re.search(r"=> (\d+ intervenant\(s\) déclenché\(s\)|Aucune ressource disponible)$", line)
        number = dialog.windowTitle().rsplit("#", 1)[1]
        found = api.get("/prescriptions", params={"number": number}).json()
        assert [(p["care_type"], p["profession_code"]) for p in found] == [("Pansement", "60")]
        assert found[0]["case_number"].lstrip("#") == number
        count = re.search(r"=> (\d+) intervenant", line)
        assert (int(count.group(1)) if count else 0) == found[0]["notified_count"]
        assert main.session.store.drafts() == []  # the draft went with the sending
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
