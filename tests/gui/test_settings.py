"""« Paramètres » from the main window (Ctrl+,): validation in French, the file in the config
directory, the SIP password only in the keyring, the audio devices of the softphone, the readers."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from desktop.settings import NO_SECURE_KEYRING, SETTINGS_FILE, SecretStore, Settings
from desktop.ui.settings_dialog import NO_SOFTPHONE, SettingsDialog
from tests.support.desktop import operator_account
from tests.support.desktop_phone import FakeSoftphone
from tests.support.gui import close_main_window, open_main_window, press, run, wait_for
from tests.support.live import LiveServer


def _set(edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    edit.insert(text)


def test_settings_saved_and_secret_in_the_keyring(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)
    config = Path(os.environ["CENTRALE_CONFIG_DIR"])

    async def scenario() -> None:
        phone = FakeSoftphone()
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path, phone)
        qtbot.addWidget(main)
        await press(main, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)  # « Paramètres »
        dialog = await wait_for(lambda: main.settings_dialog, what="the settings dialog")
        assert dialog.isVisible()
        assert [dialog.audio_input.itemText(i) for i in range(dialog.audio_input.count())][1:] == ["null"]
        await wait_for(lambda: dialog.readers_task.done(), what="the readers listed")
        assert dialog.card_note.text()  # readers found, none, or PC/SC unavailable: said in French

        _set(dialog.server_url, "ftp://serveur")
        _set(dialog.sip_uri, "operateur-sans-domaine")
        dialog.save()
        assert dialog.errors["server_url"].text().startswith("Adresse du serveur invalide")
        assert not dialog.errors["server_url"].isHidden()
        assert dialog.errors["sip_uri"].text() == "Adresse SIP invalide : sip:utilisateur@domaine attendu"
        assert not (config / SETTINGS_FILE).exists()  # nothing saved

        _set(dialog.server_url, "https://centrale.exemple.fr/")
        _set(dialog.sip_uri, "sip:operateur@pbx.exemple.fr")
        _set(dialog.sip_username, "operateur")
        _set(dialog.sip_password, "s3cret-sip")
        dialog.audio_input.setCurrentIndex(1)
        assert isinstance(dialog.card_reader, QComboBox)
        dialog.card_reader.setEditText("Lecteur USB 00")
        await press(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        await wait_for(lambda: dialog.save_task is not None and dialog.save_task.done(), what="saving")
        stored = json.loads((config / SETTINGS_FILE).read_text(encoding="utf-8"))
        assert stored["server_url"] == "https://centrale.exemple.fr"
        assert (stored["sip_uri"], stored["sip_registrar"]) == (
            "sip:operateur@pbx.exemple.fr",
            "sip:pbx.exemple.fr",
        )
        assert (stored["audio_input"], stored["card_reader"]) == ("null", "Lecteur USB 00")
        assert "s3cret-sip" not in (config / SETTINGS_FILE).read_text(encoding="utf-8")
        assert main.secrets.get(SecretStore.sip_key("sip:operateur@pbx.exemple.fr")) == "s3cret-sip"
        assert main.settings.sip_username == "operateur"  # the application's object follows
        text = dialog.outcome.text()
        assert "le compte SIP : au prochain démarrage" in text
        assert "le serveur central : à la prochaine connexion" in text
        assert Settings.load(config).card_reader == "Lecteur USB 00"
        dialog.reject()
        await wait_for(lambda: main.settings_dialog is None, what="the dialog closed")
        await close_main_window(main)

    run(loop, scenario(), timeout=40)


def test_no_secure_keyring_warns_and_keeps_no_password(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    async def scenario() -> None:
        settings = Settings(sip_uri="sip:operateur@pbx.exemple.fr")
        no_keyring = SecretStore(FailKeyring())  # type: ignore[no-untyped-call]
        dialog = SettingsDialog(settings, no_keyring, None)
        qtbot.addWidget(dialog)
        dialog.show()
        assert NO_SECURE_KEYRING in dialog.keyring_note.text()
        assert not dialog.sip_password.isEnabled()
        assert dialog.audio_note.text() == NO_SOFTPHONE  # no softphone: a note, a free field
        _set(dialog.sip_username, "operateur")
        dialog.save()
        await wait_for(lambda: dialog.save_task is not None and dialog.save_task.done(), what="saving")
        assert "Enregistré" in dialog.outcome.text()
        await wait_for(lambda: dialog.readers_task.done(), what="the readers")
        dialog.close()
        dialog.deleteLater()

    run(loop, scenario(), timeout=20)
