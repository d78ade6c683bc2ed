"""« Paramètres »: server, SIP account, audio devices, card reader.

Saved to the platform config directory (``Settings.save``); the SIP password goes only to the OS
keyring (``SecretStore``) — without a secure keyring the field is off and a French warning says
the password will be asked at each start. The application reads these settings once at start:
after saving, the dialog says what applies when (``restart_notes``) and emits ``saved``.
Files and the keyring are written off the GUI thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cardreader.api import CardReader
from cardreader.errors import CardErrorCode, CardReadError
from desktop.settings import (
    KeyringStatus,
    NoSecureKeyring,
    SecretStore,
    Settings,
    check_server_url,
    restart_notes,
    sip_errors,
)
from desktop.ui.keys import button_shortcut
from desktop.ui.tasks import spawn
from desktop.ui.wizard.form import ERROR_STYLE, error_label
from telephony.api import Softphone

log = logging.getLogger(__name__)
DEFAULT_DEVICE = "Périphérique par défaut du système"
FIRST_READER = "Premier lecteur"
NO_SOFTPHONE = (
    "La téléphonie n'est pas démarrée sur ce poste : saisissez le nom du périphérique, ou laissez "
    "le périphérique par défaut ; la liste sera proposée quand elle le sera."
)


def reader_names(reader: CardReader | None) -> list[str]:
    """The readers the application's card reader sees (blocking; ``CardReadError`` when its card
    service does not answer, or when this desktop has no card reader)."""
    if reader is None:
        raise CardReadError(CardErrorCode.NO_SERVICE, "no card reader on this desktop")
    return reader.list_readers()


NOTE_MIN_WIDTH = 400  # px: the keyring note's narrowest width in the dialog


class SettingsDialog(QDialog):
    saved = Signal(object, object)  # the Settings, the French notes of what applies when

    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        softphone: Softphone | None = None,
        card_reader: CardReader | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settings")
        self.setWindowTitle("Paramètres")
        self.settings = settings
        self.secrets = secrets
        self.softphone = softphone
        self.reader = card_reader  # the application's, once started (« Lecteur de carte »)
        self.saving = False
        self.errors: dict[str, QLabel] = {}
        column = QVBoxLayout(self)

        server = self._group(column, "Serveur central")
        self.server_url = self._line(server, "server_url", "Adresse du serveur", settings.server_url)
        self.server_url.setPlaceholderText("https://centrale.exemple.fr")

        sip = self._group(column, "Compte SIP (téléphonie)")
        self.sip_uri = self._line(sip, "sip_uri", "Adresse SIP", settings.sip_uri)
        self.sip_uri.setPlaceholderText("sip:operateur@pbx.exemple.fr")
        registrar = settings.sip_registrar
        self.sip_registrar = self._line(sip, "sip_registrar", "Serveur d'enregistrement", registrar)
        self.sip_registrar.setPlaceholderText("sip:pbx.exemple.fr (facultatif : le domaine de l'adresse)")
        self.sip_username = self._line(sip, "sip_username", "Identifiant", settings.sip_username)
        self.sip_password = self._line(sip, "sip_password", "Mot de passe", "")
        self.sip_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyring_note")
        self.keyring_note.setWordWrap(True)
        # Its own full-width row, as tall as its wrapped text (a field-column label was clipped).
        self.keyring_note.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        sip.addRow(self.keyring_note)
        if secrets.status() is KeyringStatus.SECURE:
            self.sip_password.setPlaceholderText("laisser vide pour garder le mot de passe enregistré")
            self.keyring_note.setText(secrets.status_message())
        else:
            self.sip_password.setEnabled(False)
            self.sip_password.setPlaceholderText("demandé à chaque démarrage")
            self.keyring_note.setText(f"⚠ {secrets.status_message()}.")
            self.keyring_note.setStyleSheet(ERROR_STYLE)
        # A top-level dialog does not grow for a wrapped label's height: ask for it at the
        # narrowest the row gets, so the warning is never cut.
        self.keyring_note.setMinimumHeight(self.keyring_note.heightForWidth(NOTE_MIN_WIDTH))

        audio = self._group(column, "Périphériques audio")
        self.audio_input = self._combo(audio, "audio_input", "Micro", settings.audio_input)
        self.audio_output = self._combo(audio, "audio_output", "Haut-parleur / casque", settings.audio_output)
        self.audio_ring = self._combo(audio, "audio_ring", "Sonnerie", settings.audio_ring)
        self.audio_note = QLabel()
        self.audio_note.setObjectName("audio_note")
        self.audio_note.setWordWrap(True)
        audio.addRow("", self.audio_note)
        self._fill_audio()

        card = self._group(column, "Lecteur de carte")
        self.card_reader = self._combo(card, "card_reader", "Lecteur", settings.card_reader, FIRST_READER)
        self.card_note = QLabel("Recherche des lecteurs…")
        self.card_note.setObjectName("card_note")
        self.card_note.setWordWrap(True)
        card.addRow("", self.card_note)

        self.outcome = QLabel()
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        column.addWidget(self.outcome)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Fermer (Échap)")
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Enregistrer (Ctrl+S)")
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        button_shortcut(self.save_button, "Ctrl+S")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        self.resize(620, 560)
        self.save_task: asyncio.Task[None] | None = None
        self.readers_task = spawn(self.read_readers())

    # ---- building -------------------------------------------------------------------------------
    @staticmethod
    def _group(column: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        column.addWidget(box)
        return form

    def _message(self, form: QFormLayout, name: str, label: str, widget: QWidget) -> None:
        row = QWidget()
        inner = QVBoxLayout(row)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(1)
        inner.addWidget(widget)
        message = error_label()
        message.setObjectName(f"error_{name}")
        inner.addWidget(message)
        widget.setObjectName(name)
        form.addRow(label, row)
        self.errors[name] = message

    def _line(self, form: QFormLayout, name: str, label: str, value: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.textEdited.connect(lambda _text, n=name: self.errors[n].hide())
        self._message(form, name, label, edit)
        return edit

    def _combo(
        self, form: QFormLayout, name: str, label: str, value: str, default: str = DEFAULT_DEVICE
    ) -> QComboBox:
        """Editable: a device or reader not plugged in now can still be named."""
        box = QComboBox()
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.addItem(default, "")
        if value:
            box.addItem(value, value)
            box.setCurrentIndex(1)
        self._message(form, name, label, box)
        return box

    @staticmethod
    def _set_choices(box: QComboBox, names: list[str]) -> None:
        current = SettingsDialog.value_of(box)
        default = box.itemText(0)
        box.clear()
        box.addItem(default, "")
        for name in dict.fromkeys([*names, *([current] if current else [])]):
            box.addItem(name, name)
        box.setCurrentIndex(max(box.findData(current), 0))

    @staticmethod
    def value_of(box: QComboBox) -> str:
        """The chosen name; the first item (default device, first reader) is ""."""
        text = box.currentText().strip()
        if box.currentIndex() == 0 and text == box.itemText(0):
            return ""
        return text

    def _fill_audio(self) -> None:
        if self.softphone is None:
            self.audio_note.setText(NO_SOFTPHONE)
            return
        devices = self.softphone.audio_devices()
        inputs = [d.name for d in devices if d.inputs > 0]
        outputs = [d.name for d in devices if d.outputs > 0]
        self._set_choices(self.audio_input, inputs)
        self._set_choices(self.audio_output, outputs)
        self._set_choices(self.audio_ring, outputs)
        if not devices:
            self.audio_note.setText("Aucun périphérique audio détecté : le périphérique nul sera utilisé.")
        else:
            self.audio_note.setText(f"{len(inputs)} entrée(s), {len(outputs)} sortie(s) détectée(s).")

    async def read_readers(self) -> None:
        try:
            names = await asyncio.to_thread(reader_names, self.reader)
        except Exception as problem:  # no pcscd, no pyscard, no reader service: a free field
            log.info("PC/SC readers not listed: %s", problem)
            text = "Lecteurs de carte non détectés (service PC/SC indisponible) : saisissez le nom"
            self._note_readers(f"{text}, ou gardez « {FIRST_READER} ».")
            return
        try:
            self._set_choices(self.card_reader, names)
        except RuntimeError:  # closed meanwhile
            return
        found = f"{len(names)} lecteur(s) détecté(s)." if names else "Aucun lecteur branché."
        self._note_readers(found)

    def _note_readers(self, text: str) -> None:
        try:
            self.card_note.setText(text)
        except RuntimeError:
            log.debug("settings dialog closed before the readers were listed")

    # ---- saving ---------------------------------------------------------------------------------
    def collect(self) -> tuple[Settings, dict[str, str]]:
        """The settings as typed, and the French message of each field in error."""
        errors: dict[str, str] = {}
        url = self.server_url.text()
        try:
            url = check_server_url(url)
        except ValueError as problem:
            errors["server_url"] = str(problem)
        uri, registrar = self.sip_uri.text().strip(), self.sip_registrar.text().strip()
        username = self.sip_username.text().strip()
        errors.update(sip_errors(uri, registrar, username))
        if uri and not registrar and "sip_uri" not in errors:
            registrar = "sip:" + uri.split("@", 1)[1]  # the account's domain
        updated = dataclasses.replace(
            self.settings,
            server_url=url,
            sip_uri=uri,
            sip_registrar=registrar,
            sip_username=username,
            audio_input=self.value_of(self.audio_input),
            audio_output=self.value_of(self.audio_output),
            audio_ring=self.value_of(self.audio_ring),
            card_reader=self.value_of(self.card_reader),
        )
        return updated, errors

    def show_errors(self, errors: dict[str, str]) -> None:
        first: QWidget | None = None
        for name, label in self.errors.items():
            message = errors.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
            if message and first is None:
                first = self.findChild(QWidget, name)
        if first is not None:
            first.setFocus()

    def save(self) -> None:
        if self.saving:
            return
        updated, errors = self.collect()
        self.show_errors(errors)
        if errors:
            self.outcome.setText("Corrigez les champs signalés : rien n'a été enregistré.")
            self.outcome.setStyleSheet(ERROR_STYLE)
            return
        self.saving = True
        self.save_task = spawn(self._save(updated, self.sip_password.text()))

    async def _save(self, updated: Settings, password: str) -> None:
        try:
            notes = await self._write(updated, password)
        finally:
            self.saving = False
        if notes is None:
            return
        if notes:
            text = "Enregistré. S'appliquera à " + " ; à ".join(notes) + "."
        else:
            text = "Enregistré (aucun changement)."
        self.outcome.setStyleSheet("")
        self.outcome.setText(text)
        self.saved.emit(self.settings, notes)

    async def _write(self, updated: Settings, password: str) -> list[str] | None:
        """The file, then the password in the keyring; None (and the reason shown) on a failure."""
        before = dataclasses.replace(self.settings)
        try:
            await asyncio.to_thread(updated.save)
        except OSError as problem:
            self.outcome.setStyleSheet(ERROR_STYLE)
            self.outcome.setText(f"Paramètres non enregistrés : {problem}")
            return None
        for field in dataclasses.fields(Settings):  # the application's own object, kept in step
            setattr(self.settings, field.name, getattr(updated, field.name))
        stored = False
        if password and updated.sip_uri:
            key = SecretStore.sip_key(updated.sip_uri)
            try:
                await asyncio.to_thread(self.secrets.set, key, password)
                stored = True
                self.sip_password.clear()
            except NoSecureKeyring as problem:
                self.errors["sip_password"].setText(str(problem))
                self.errors["sip_password"].show()
        return restart_notes(before, updated, password_changed=stored)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Entrée in a field saves, as « Enregistrer »
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            return
        super().keyPressEvent(event)
