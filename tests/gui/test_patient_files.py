"""« Fiches patients » against a real server: the active list by keyword with each patient's last
events, a patient found only by the search, the patient page (identity, address, usual
professionals, timeline) and « Déclenchement pour ce patient » → the wizard prefilled."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QTreeWidget, QTreeWidgetItem

from desktop.state.wizard.wizard import EntryPoint
from desktop.ui.patients.files_view import PatientFilesView
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from shared.validation import format_phone_national
from tests.support.details_gui import scene
from tests.support.gui import activate, close_main_window, open_main_window, press, run, wait_for
from tests.support.live import LiveServer, patient_body


def _item(tree: QTreeWidget, index: int) -> QTreeWidgetItem:
    item = tree.topLevelItem(index)
    assert item is not None
    return item


def _rows(view: PatientFilesView) -> dict[int, tuple[str, str]]:
    items = (_item(view.list, i) for i in range(view.list.topLevelItemCount()))
    return {int(item.data(0, Qt.ItemDataRole.UserRole)): (item.text(0), item.text(1)) for item in items}


def _form_texts(layout: QFormLayout) -> set[str]:
    """Every text of a form: its labels and its values."""
    texts = set()
    for index in range(layout.count()):
        entry = layout.itemAt(index)
        widget = entry.widget() if entry is not None else None
        if isinstance(widget, QLabel):
            texts.add(widget.text())
    return texts


def test_active_list_patient_page_and_a_case_for_this_patient(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    with scene(gui_server, responders=1) as s:
        quiet = s.operator.post("/patients", json=patient_body(last_name=s.patient["last_name"] + "BIS"))
        assert quiet.status_code == 201, quiet.text
        quiet_patient = quiet.json()
        usual = s.operator.put(
            f"/patients/{s.patient['id']}/usual-professionals",
            json=[{"profession_code": "60", "rpps": s.responders[0].rpps}],
        )
        assert usual.status_code == 200, usual.text

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            view = main.patient_files
            assert isinstance(view, PatientFilesView)
            await press(main, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
            assert main.tabs.currentWidget() is view
            assert main.tabs.tabText(main.tabs.currentIndex()) == "Fiches patients"

            # The keyword: the board's patients (name prefix) and the patient search's.
            view.keyword.setText(s.patient["last_name"])
            rows = await view.load_list()
            assert rows is not None
            found = _rows(view)
            assert set(found) == {s.patient["id"], quiet_patient["id"]}
            name, events = found[s.patient["id"]]
            assert name.startswith(f"{s.patient['last_name']} Lucienne\n")
            assert f"1er Déclenchement #{s.case_number} — Infirmier" in events
            quiet_name, quiet_events = found[quiet_patient["id"]]
            assert quiet_name.startswith(f"{quiet_patient['last_name']} Hélène\n")
            assert "Fiche créée par Operator" in quiet_events  # its own timeline's last lines
            # The most recent activity first: the quiet patient was created after the case.
            assert [r.patient_id for r in rows] == [quiet_patient["id"], s.patient["id"]]
            view.list.setCurrentItem(_item(view.list, 1))

            # A case number (the board's keyword; no patient search): that case's patient.
            view.keyword.setText(f"#{s.case_number}")
            by_number = await view.load_list()
            assert [r.patient_id for r in by_number or []] == [s.patient["id"]]
            view.keyword.setText(s.patient["last_name"])
            assert await view.load_list()

            # The patient page.
            view.list.setFocus()
            await press(main, Qt.Key.Key_Return)
            await wait_for(lambda: view.currentWidget() is view.page, what="the patient page")
            page = view.page
            assert s.patient["last_name"] in page.title.text()
            assert "Lucienne" in page.title.text()
            identity = _form_texts(page.identity)
            assert format_phone_national(s.patient["phone"]) in identity
            assert "Identité provisoire" in identity
            address = _form_texts(page.address)
            assert {"12 rue des Lilas", "91000 Évry-Courcouronnes"} <= address
            usual_line = page.usual.item(0).text()
            assert usual_line.startswith("Infirmier : ")
            assert s.responders[0].rpps in usual_line
            timeline = [_item(page.timeline, i).text(1) for i in range(page.timeline.topLevelItemCount())]
            assert any(t.startswith(f"Déclenchement #{s.case_number} par ") for t in timeline)
            assert any(t.startswith("Professionnels habituels modifiés") for t in timeline)
            assert timeline[-1].startswith("Fiche créée par")

            # A line about the prescription opens its details.
            comment = s.operator.post(
                f"/prescriptions/{s.prescription_id}/comments",
                json={"text": "Rappel famille", "tag": "suivi"},
            )
            assert comment.status_code == 201, comment.text
            await wait_for(
                lambda: _item(page.timeline, 0).text(1).startswith("Commentaire de"),
                what="the live refresh of the page",
            )
            page.timeline.itemActivated.emit(_item(page.timeline, 0), 0)
            dialog = await wait_for(lambda: main.details.windows.get(s.prescription_id))
            assert isinstance(dialog, PrescriptionDialog)
            dialog.close()

            # « Déclenchement pour ce patient »: the wizard with this patient loaded.
            await press(main, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
            window = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
            wizard = window.wizard
            assert wizard.entry is EntryPoint.PATIENT
            assert wizard.search.selected_patient_id == s.patient["id"]
            assert wizard.search.last_name == s.patient["last_name"]
            assert wizard.patient.patient_id == s.patient["id"]
            window.close()

            await activate(main)
            await press(main, Qt.Key.Key_Escape)
            assert view.currentWidget() is view.list_page
            await close_main_window(main)

        run(loop, body())
