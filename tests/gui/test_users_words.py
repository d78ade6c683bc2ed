"""Issue 18, « also seen »: what the screen says is in the users' words — no feed sequence number
or event type, no « la demande est « Annulé » », no « Demande annulée — Annulé », a keyring
warning that is not cut — and the file dialogs are Qt's own in French, opening in the user's
documents folder."""

from __future__ import annotations

from pathlib import Path

from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from desktop.settings import SecretStore, Settings
from desktop.ui.app_identity import install_identity
from desktop.ui.file_dialogs import documents_folder
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from desktop.ui.settings_dialog import SettingsDialog
from shared.domain import PrescriptionState
from tests.support.details_gui import scene
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.live import LiveServer, patient_body


def test_the_main_window_and_the_details_speak_the_users_words(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_identity(app)  # as `centrale` starts: Qt's own texts in French
    with scene(gui_server, responders=1) as s:

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            created = s.operator.post("/patients", json=patient_body())
            assert created.status_code == 201, created.text
            await wait_for(lambda: main.last_event.text().startswith("Données à jour"), what="an event")
            shown = main.last_event.text()
            assert "n°" not in shown
            assert "_" not in shown  # never « patient_created »

            dialog = main.open_prescription(s.prescription_id)
            assert isinstance(dialog, PrescriptionDialog)
            await wait_for(lambda: dialog.details is not None, what="the details")
            dialog.cancel.reason.setPlainText("Patient hospitalisé")
            assert await dialog.cancel.submit()
            assert dialog.cancel.message.text() == "Demande annulée"
            await wait_for(
                lambda: (
                    dialog.details is not None
                    and dialog.details.prescription.state is PrescriptionState.CANCELLED
                ),
                what="the reload",
            )
            assert dialog.cancel.state.text() == "Annulation impossible : la demande est annulée."

            picker = dialog.documents.choose_file()
            assert isinstance(picker, QFileDialog)
            assert picker.testOption(QFileDialog.Option.DontUseNativeDialog)
            assert Path(picker.directory().absolutePath()) == Path(documents_folder())
            texts = {b.text() for b in picker.findChildren(QPushButton)}
            assert "Annuler" in texts, texts
            assert any("Ouvrir" in t for t in texts), texts
            picker.reject()
            dialog.close()
            await close_main_window(main)

        run(loop, body())


def test_the_keyring_warning_is_not_cut(loop, qtbot):
    async def scenario() -> None:
        settings = Settings(sip_uri="sip:operateur@pbx.exemple.fr")
        dialog = SettingsDialog(settings, SecretStore(FailKeyring()), None)  # type: ignore[no-untyped-call]
        qtbot.addWidget(dialog)
        dialog.show()
        note = dialog.keyring_note
        await wait_for(lambda: note.isVisible(), what="the note")
        assert note.text().startswith("⚠")
        assert note.height() >= note.heightForWidth(note.width())  # every wrapped line shown
        await wait_for(lambda: dialog.readers_task.done(), what="the readers")
        dialog.close()

    run(loop, scenario(), timeout=30)
