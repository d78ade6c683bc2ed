"""Issue 17, item 15 (RNIV) in the patient form outside a case (« Fiches patients » → « Nouveau
patient », « Modifier »), against real server processes: the « Vigilance d'identité » block of the
wizard, the status chooser offering only what the evidence supports, the evidence on file shown when
editing (times in Europe/Paris), a status forced past the chooser refused by the server in French
with nothing lost, and « Récupérer l'INS » against a server started with the fake INSi teleservice
(CENTRALE_INSI=fake, as tests/integration/test_identity_vigilance.py starts it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from desktop.ui.main_window import MainWindow
from desktop.ui.patients.files_view import PatientFilesView
from desktop.ui.patients.patient_form import PatientFormDialog
from shared.validation.identity_vigilance import INSI_UNAVAILABLE
from tests.integration.conftest import start_live
from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.live import PASSWORD, LiveServer, make_nir, unique_name, unique_phone

ENTER = Qt.Key.Key_Return
PARIS = ZoneInfo("Europe/Paris")
BORN = date(1961, 5, 14)
TEST_OID = "1.2.250.1.213.1.4.10"  # the fake teleservice's « INS-NIR de test »


@pytest.fixture
def desk(gui_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(gui_server)
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def insi_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from start_live("sqlite", tmp_path_factory.mktemp("gui-insi"), CENTRALE_INSI="fake")


@pytest.fixture
def insi_desk(insi_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(insi_server)
    yield desk
    desk.close()


def _set(dialog: PatientFormDialog, name: str, text: str) -> None:
    widget = dialog.form.widgets[name]
    assert isinstance(widget, QLineEdit)
    widget.setText(text)
    widget.textEdited.emit(text)  # as typed


def _combo(dialog: PatientFormDialog, name: str) -> QComboBox:
    widget = dialog.form.widgets[name]
    assert isinstance(widget, QComboBox)
    return widget


def _choose(dialog: PatientFormDialog, name: str, value: str) -> None:
    combo = _combo(dialog, name)
    index = combo.findData(value)
    assert index >= 0, (name, value, _offered(combo))
    combo.setCurrentIndex(index)


def _offered(chooser: QComboBox) -> list[str]:
    return [str(chooser.itemData(i)) for i in range(chooser.count())]


def _form(view: PatientFilesView) -> PatientFormDialog:
    found = [d for d in view.findChildren(PatientFormDialog) if d.isVisible()]
    assert len(found) == 1, found
    return found[0]


async def _new_patient_form(main: MainWindow) -> tuple[PatientFilesView, PatientFormDialog]:
    view = main.patient_files
    assert isinstance(view, PatientFilesView)
    main.tabs.setCurrentWidget(view)
    view.create_button.click()
    dialog = await wait_for(lambda: _form(view), what="the form")
    assert dialog.windowTitle() == "Nouveau patient"
    return view, dialog


async def _fill_contact_and_address(dialog: PatientFormDialog, last_name: str) -> None:
    for name, value in (
        ("phone", unique_phone()),
        ("last_name", last_name),
        ("first_name", "Hélène"),
        ("birth_date", BORN.strftime("%d/%m/%Y")),
        ("address_line", "12 rue des Lilas"),
    ):
        _set(dialog, name, value)
    _choose(dialog, "sex", "F")
    dialog.city.setFocus()
    await type_text(dialog, "Évry-Cou")
    popup = dialog.completer.popup()
    assert popup is not None
    await wait_for(lambda: popup.isVisible(), what="the commune list")
    await press(popup, Qt.Key.Key_Down)
    await press(popup, ENTER)
    await wait_for(lambda: dialog.step.commune_insee == "91228", what="the commune chosen")


def _paris(stamp: str) -> str:
    return f"{datetime.fromisoformat(stamp).astimezone(PARIS):%d/%m/%Y %H:%M}"


def test_validated_with_a_passport_and_the_birth_place_then_a_forced_status_refused(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path
):
    user, api = desk.staff("operator")
    last_name = unique_name("VALIDEE")

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, user["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        view, dialog = await _new_patient_form(main)
        chooser = _combo(dialog, "identity_status")
        vigilance = dialog.vigilance
        # This server has no INSi connection: said, no button, « provisoire » only.
        await wait_for(lambda: vigilance.insi_text.text() == INSI_UNAVAILABLE, what="the INSi notice")
        assert not vigilance.insi_button.isVisible()
        assert _offered(chooser) == ["provisional"]
        assert not vigilance.recorded.isVisible()  # a new patient: nothing on file

        await _fill_contact_and_address(dialog, last_name)
        _set(dialog, "nir", make_nir(2, BORN))  # a NIR typed is no evidence either
        assert _offered(chooser) == ["provisional"]

        # A passport checked: « validée », never « qualifiée » nor « récupérée ».
        _choose(dialog, "document_type", "passport")
        assert _offered(chooser) == ["provisional", "validated"]
        _choose(dialog, "identity_status", "validated")
        assert await dialog.save() is None  # the birth place and the birth names are missing
        assert "Lieu de naissance obligatoire" in dialog.form.errors["birth_place_insee"].text()
        assert dialog.form.errors["birth_place_insee"].isVisible()
        assert api.get("/patients", params={"phone": dialog.step.phone}).json()["items"] == []

        _set(dialog, "birth_last_name", last_name)
        _set(dialog, "birth_first_names", "Hélène Marie")
        _set(dialog, "birth_place_insee", "91228")
        assert _offered(chooser) == ["provisional", "validated"]  # unchanged by the traits typed
        saved = await dialog.save()
        assert saved is not None, dialog.message.text()
        stored = api.get(f"/patients/{saved.id}").json()
        assert (stored["identity_status"], stored["birth_place_insee"]) == ("validated", "91228")
        document = stored["identity_evidence"]["document"]
        assert (document["type"], document["checked_by"]) == ("passport", user["display_name"])

        # « Modifier »: the evidence on file is shown, and keeps « validée » offered and chosen.
        await wait_for(lambda: view.page.file is not None and view.page.file.patient.id == saved.id)
        view.page.edit_button.click()
        edit = await wait_for(lambda: _form(view), what="the form to edit")
        chooser = _combo(edit, "identity_status")
        assert edit.vigilance.recorded.isVisible()
        recorded = edit.vigilance.recorded.text()
        assert recorded == (
            f"Pièce vérifiée : Passeport, par {user['display_name']} le {_paris(document['checked_at'])}"
        )
        assert _offered(chooser) == ["provisional", "validated"]
        assert chooser.currentData() == "validated"
        assert _combo(edit, "document_type").currentData() == ""  # nothing checked again yet

        # Forced past the chooser (an INSi answer this server never received): the server refuses
        # in French, the dialog stays open with the operator's input, nothing is stored.
        edit.step.insi_reference = "FAKE-INSI-forged"
        edit.vigilance.refresh()
        assert _offered(chooser) == ["provisional", "recovered", "validated", "qualified"]
        _choose(edit, "identity_status", "qualified")
        _set(edit, "digicode", "4B12")
        assert await edit.save() is None
        assert "Réponse INSi inconnue de ce serveur" in edit.message.text()
        assert edit.isVisible()
        assert (edit.step.identity_status, edit.step.digicode) == ("qualified", "4B12")
        after = api.get(f"/patients/{saved.id}").json()
        assert (after["identity_status"], after["version"], after["digicode"]) == (
            "validated",
            stored["version"],
            stored["digicode"],
        )
        refusals = desk.admin.get("/admin/audit", params={"action": "identity_refused", "limit": 1000}).json()
        assert any(r["user_id"] == user["id"] and r["patient_id"] == saved.id for r in refusals), refusals
        edit.reject()
        await close_main_window(main)

    run(loop, scenario(), timeout=90)


def test_recover_the_ins_from_the_fake_teleservice(
    loop, qtbot, insi_desk: Desk, insi_server: LiveServer, tmp_path: Path
):
    user, api = insi_desk.staff("operator")
    last_name = unique_name("INSI")
    nir = make_nir(2, BORN)

    async def scenario() -> None:
        main = await open_main_window(insi_server.process.base_url, user["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        _view, dialog = await _new_patient_form(main)
        chooser = _combo(dialog, "identity_status")
        vigilance = dialog.vigilance
        await wait_for(lambda: vigilance.insi_button.isVisible(), what="« Récupérer l'INS »")
        assert vigilance.insi_text.text() == ""  # nothing to say: the INS can be recovered here
        assert _offered(chooser) == ["provisional"]

        await _fill_contact_and_address(dialog, last_name)
        _set(dialog, "birth_place_insee", "91228")
        vigilance.insi_button.click()  # without a NIR the fake finds nobody: said, nothing filled
        await wait_for(lambda: "aucune identité" in vigilance.insi_text.text(), what="nobody found")
        assert dialog.step.insi_reference == ""
        assert _offered(chooser) == ["provisional"]

        _set(dialog, "nir", nir)  # e.g. read from the Carte Vitale: it helps the search
        vigilance.insi_button.click()
        await wait_for(lambda: dialog.step.insi_reference != "", what="the INSi answer")
        assert dialog.step.insi_reference.startswith("FAKE-INSI-")
        assert vigilance.insi_text.text() == "INS récupérée"
        # The answer's INS and strict traits are in the fields.
        for name, value in (
            ("nir", nir),
            ("birth_last_name", last_name),
            ("birth_first_names", "Hélène"),
            ("birth_place_insee", "91228"),
        ):
            widget = dialog.form.widgets[name]
            assert isinstance(widget, QLineEdit)
            assert widget.text() == value, name
        assert dialog.step.ins_oid == TEST_OID  # not a field of this form: kept in the step
        # No document checked: « récupérée » but not « qualifiée »; with a passport, both.
        assert _offered(chooser) == ["provisional", "recovered"]
        _choose(dialog, "document_type", "passport")
        assert _offered(chooser) == ["provisional", "recovered", "validated", "qualified"]
        _choose(dialog, "identity_status", "qualified")
        saved = await dialog.save()
        assert saved is not None, dialog.message.text()
        stored = api.get(f"/patients/{saved.id}").json()
        assert (stored["identity_status"], stored["nir"], stored["ins_oid"]) == (
            "qualified",
            nir,
            TEST_OID,
        )
        evidence = stored["identity_evidence"]
        assert evidence["insi"]["reference"] == dialog.step.insi_reference
        assert evidence["document"]["type"] == "passport"
        await close_main_window(main)

    run(loop, scenario(), timeout=90)
