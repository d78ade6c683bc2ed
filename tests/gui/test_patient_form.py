"""Issue 18, « also seen »: a patient created or changed outside a case, from « Fiches patients »
(« Nouveau patient », « Modifier »): the wizard's checks, the commune from the autocomplete, a
look-alike confirmed, and a change made meanwhile by someone else refused (the version read)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from desktop.ui.patients.files_view import PatientFilesView
from desktop.ui.patients.patient_form import PatientFormDialog
from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.live import PASSWORD, LiveServer, patient_body, unique_phone

ENTER = Qt.Key.Key_Return


@pytest.fixture
def desk(gui_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(gui_server)
    yield desk
    desk.close()


def _set(dialog: PatientFormDialog, name: str, text: str) -> None:
    widget = dialog.form.widgets[name]
    assert isinstance(widget, QLineEdit)
    widget.setText(text)
    widget.textEdited.emit(text)  # as typed


def _form(view: PatientFilesView) -> PatientFormDialog:
    found = [d for d in view.findChildren(PatientFormDialog) if d.isVisible()]
    assert len(found) == 1, found
    return found[0]


def test_modify_a_patient_with_the_version_read(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path
):
    user, api = desk.staff("operator")
    created = api.post("/patients", json=patient_body(first_name="Hélène"))
    assert created.status_code == 201, created.text
    patient = created.json()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, user["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        view = main.patient_files
        assert isinstance(view, PatientFilesView)
        main.tabs.setCurrentWidget(view)
        assert await view.load_patient(patient["id"]) is not None
        assert not view.page.edit_button.isHidden()
        await press(main, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)  # « Modifier (Alt+M) »
        dialog = await wait_for(lambda: _form(view), what="the form")
        assert dialog.windowTitle() == f"Modifier le patient {patient['last_name']} Hélène"
        assert dialog.form.widgets["first_name"].text() == "Hélène"

        _set(dialog, "phone2", "12")  # refused here, as the wizard refuses it
        _set(dialog, "birth_date", "31/02/1950")
        assert await dialog.save() is None
        assert dialog.form.errors["phone2"].isVisible()
        assert dialog.form.errors["birth_date"].isVisible()
        assert api.get(f"/patients/{patient['id']}").json()["version"] == patient["version"]  # nothing sent

        _set(dialog, "phone2", "")
        _set(dialog, "birth_date", "12/01/1950")
        meanwhile = api.patch(
            f"/patients/{patient['id']}", json={"version": patient["version"], "digicode": "4B12"}
        )
        assert meanwhile.status_code == 200, meanwhile.text
        _set(dialog, "first_name", "Héloïse")
        assert await dialog.save() is None
        assert "modifiée entre-temps" in dialog.message.text()
        assert api.get(f"/patients/{patient['id']}").json()["first_name"] == "Hélène"
        dialog.reject()

        await view.load_patient(patient["id"])
        view.page.edit_button.click()
        dialog = await wait_for(lambda: _form(view), what="the form again")
        _set(dialog, "first_name", "Héloïse")
        assert (await dialog.save()) is not None
        after = api.get(f"/patients/{patient['id']}").json()
        assert (after["first_name"], after["digicode"]) == ("Héloïse", "4B12")  # nothing lost
        await wait_for(lambda: "Héloïse" in view.page.title.text(), what="the page re-read")
        audit = desk.admin.get(
            "/admin/audit", params={"patient_id": patient["id"], "action": "patient_update"}
        )
        assert audit.status_code == 200, audit.text
        assert user["id"] in [e["user_id"] for e in audit.json()]
        await close_main_window(main)

    run(loop, scenario(), timeout=60)


def test_a_new_patient_outside_a_case(loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path):
    user, api = desk.staff("operator")
    twin = patient_body(first_name="Odette", birth_date="1948-03-04")
    assert api.post("/patients", json=twin).status_code == 201

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, user["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        view = main.patient_files
        assert isinstance(view, PatientFilesView)
        main.tabs.setCurrentWidget(view)
        view.create_button.click()
        dialog = await wait_for(lambda: _form(view), what="the form")
        assert dialog.windowTitle() == "Nouveau patient"
        assert await dialog.save() is None  # empty: each mandatory field says so
        assert dialog.form.errors["last_name"].text() == "Ce champ est obligatoire"
        assert dialog.form.errors["sex"].text() == "Ce champ est obligatoire"

        for name, value in (
            ("phone", twin["phone"]),
            ("last_name", twin["last_name"]),
            ("first_name", "Odette"),
            ("birth_date", "04/03/1948"),
            ("address_line", "3 allée des Tilleuls"),
        ):
            _set(dialog, name, value)
        sex = dialog.form.widgets["sex"]
        sex.setCurrentIndex(sex.findData("F"))
        dialog.city.setFocus()
        await type_text(dialog, "Évry-Cou")
        popup = dialog.completer.popup()
        assert popup is not None
        await wait_for(lambda: popup.isVisible(), what="the commune list")
        await press(popup, Qt.Key.Key_Down)
        await press(popup, ENTER)
        await wait_for(lambda: dialog.step.commune_insee == "91228", what="the commune chosen")

        assert await dialog.save() is None  # the look-alike: said, and confirmed on purpose
        assert dialog.duplicates.isVisible()
        assert "ressemble à un patient déjà enregistré" in dialog.message.text()
        dialog.duplicates.setChecked(True)
        _set(dialog, "phone", unique_phone())
        saved = await dialog.save()
        assert saved is not None
        assert (saved.first_name, saved.city, saved.postal_code) == ("Odette", "Évry-Courcouronnes", "91000")
        await wait_for(
            lambda: view.page.file is not None and view.page.file.patient.id == saved.id, what="page"
        )
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
