"""« Cabinet (secrétariat) » in the back office's user dialog (issue 17, item 16): the admin finds a
doctor by RPPS, ticks him, saves; then, through the API as that secretary, she reads his patient and
not another doctor's (offscreen Qt, a real server)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop.ui.back_office import BackOffice
from desktop.ui.back_office.user_dialogs import UserDialog
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, LiveServer, patient_body, unique_name


def _patient_of(server: LiveServer, rpps: str) -> int:
    _, operator = server.user("operator")
    created = operator.post("/patients", json=patient_body(last_name=unique_name("CABINET")))
    assert created.status_code == 201, created.text
    patient_id = int(created.json()["id"])
    usual = [{"profession_code": "10", "rpps": rpps}]
    assert operator.put(f"/patients/{patient_id}/usual-professionals", json=usual).status_code == 200
    return patient_id


def test_the_admin_sets_a_secretary_s_practice(loop, qtbot, gui_server: LiveServer, tmp_path: Path) -> None:
    doctor, _ = gui_server.professional(profession_code="10", last_name=unique_name("Docteur"))
    stranger, _ = gui_server.professional(profession_code="10")
    secretary, as_secretary = gui_server.user("secretary")
    his_patient, other_patient = (
        _patient_of(gui_server, doctor["rpps"]),
        _patient_of(gui_server, stranger["rpps"]),
    )
    assert as_secretary.get(f"/patients/{his_patient}").status_code == 403  # no practice yet

    async def scenario() -> None:
        window = await open_main_window(
            gui_server.process.base_url, ADMIN_USERNAME, ADMIN_PASSWORD, tmp_path / "desk"
        )
        try:
            office = window.back_office
            assert isinstance(office, BackOffice)
            users = office.users
            users.search.setText(secretary["username"])
            await users.refresh()
            assert users.select_username(secretary["username"])
            opened: list[UserDialog] = []
            users.dialog_opened.connect(opened.append)
            users.edit_selected()
            dialog = opened[-1]
            assert dialog.practice_box is not None
            await wait_for(lambda: dialog.practice_ready, what="the practice loaded")
            assert not dialog.practice_box.isHidden()  # a secretary: « Cabinet (secrétariat) » shown
            assert dialog.practice_list.count() == 0

            dialog.practice_search.setText("")  # nothing typed: a French reason, nothing sent
            await dialog.find_professionals()
            assert "saisissez un nom ou un numéro RPPS" in dialog.error.text()
            dialog.practice_search.setText(doctor["rpps"])
            dialog.practice_find.click()
            await wait_for(lambda: dialog.practice_list.count() == 1, what="the doctor found")
            item = dialog.practice_list.item(0)
            assert doctor["rpps"] in item.text()
            assert item.checkState() == Qt.CheckState.Unchecked
            item.setCheckState(Qt.CheckState.Checked)
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
            done = f"Utilisateur « {secretary['username']} » modifié"
            await wait_for(lambda: users.status.text() == done, what="the practice saved")

            # Edited again: the practice is loaded, checked; switching the role hides it.
            await wait_for(lambda: users.select_username(secretary["username"]), what="the row again")
            users.edit_selected()
            again = opened[-1]
            await wait_for(lambda: again.practice_ready, what="the practice loaded again")
            assert again.practice_list.count() == 1
            assert again.practice_list.item(0).checkState() == Qt.CheckState.Checked
            assert again.practice.chosen() == (doctor["user_id"],)
            again.role.setCurrentIndex(again.role.findData("operator"))
            assert again.practice_box is not None
            assert again.practice_box.isHidden()
            again.reject()
        finally:
            await close_main_window(window)

    run(loop, scenario())

    practice = gui_server.admin().get(f"/admin/users/{secretary['id']}/practice").json()
    assert practice["professional_ids"] == [doctor["user_id"]]
    assert as_secretary.get(f"/patients/{his_patient}").status_code == 200
    refused = as_secretary.get(f"/patients/{other_patient}")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Vous n'intervenez pas auprès de ce patient"
