"""« Restreindre au réseau »: « Aucune restriction » then the operator's own networks by name (read
from the real server's ``GET /networks``); the choice reaches the case sent."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox

from desktop.state.wizard.qualification_step import NO_RESTRICTION
from desktop.state.wizard.wizard import Operator, Step
from desktop.ui.wizard.qualification_page import QualificationPage
from tests.support.desktop import new_patient_wizard
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.live import PASSWORD, LiveServer, unique


def test_the_network_selector_lists_the_operators_networks(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    mine = unique("CPTS Nord ")
    member = gui_server.network(mine)
    gui_server.network(unique("Réseau d'un autre "))  # not the operator's: not offered
    user, api = gui_server.user("operator", network_ids=[member])
    operator = Operator(user_id=user["id"], display_name=user["display_name"])

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, user["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        window = main.open_wizard(new_patient_wizard(operator))
        page = window.pages[Step.QUALIFICATION]
        assert isinstance(page, QualificationPage)
        box = page._tabs[0].form.widgets["network_id"]
        assert isinstance(box, QComboBox)
        await wait_for(lambda: box.count() == 2, what="the network names")
        assert [box.itemText(i) for i in range(box.count())] == [NO_RESTRICTION, mine]
        assert box.currentText() == NO_RESTRICTION
        box.setCurrentIndex(1)
        assert window.wizard.qualification.prescriptions[0].network_id == str(member)
        await window.go_next()  # « Déclencher »
        dialog = await wait_for(lambda: main.success, timeout=15, what="the success dialog")
        number = dialog.windowTitle().rsplit("#", 1)[1]
        [found] = api.get("/prescriptions", params={"number": number}).json()
        assert found["network_id"] == member
        await close_main_window(main)

    run(loop, scenario(), timeout=40)
