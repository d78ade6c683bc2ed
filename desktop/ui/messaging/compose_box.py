"""The open thread's compose box: the text (Ctrl+Entrée sends), « Joindre… » (Alt+J: JPG, PNG or
PDF, 2 Mo, 5 at most, checked before sending), the files to send (Suppr removes one), « Envoyer ».

A failed send keeps the text and the files here with the French error: an unreachable server
(« Message non envoyé, gardé ici ») is sent again with « Envoyer » and never posted twice
(``MessagingService.send`` looks first whether the unanswered try was written)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.attachments import read_attachment
from desktop.services.messaging import MessagingService
from desktop.state.attachments import FILE_DIALOG_FILTER, Attachment, size_text
from desktop.state.messaging_compose import check_text
from desktop.sync.errors import ApiProblem, ServerUnavailable
from desktop.ui.file_dialogs import file_dialog
from desktop.ui.keys import button_shortcut
from desktop.ui.prescription.widgets import MessageLine, alive, problem_text
from desktop.ui.tasks import spawn
from shared.schemas.messaging import ATTACHMENTS_PER_MESSAGE, MessageOut
from shared.validation import ValidationFailure

ATTACHMENT_RULE = (
    f"Pièces jointes : JPG, PNG ou PDF, 2 Mo par fichier, {ATTACHMENTS_PER_MESSAGE} au plus par message."
)
NOT_SENT = "Message non envoyé, gardé ici : "


class ComposeBox(QWidget):
    sent = Signal(object)  # the MessageOut

    def __init__(self, service: MessagingService) -> None:
        super().__init__()
        self.service = service
        self.files: list[Attachment] = []
        self.file_dialog_opened: QFileDialog | None = None
        self.sending = False
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Vot&re message (Ctrl+Entrée envoie) :")
        self.text = QPlainTextEdit()
        self.text.setObjectName("compose_text")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(90)
        label.setBuddy(self.text)
        column.addWidget(label)
        column.addWidget(self.text)
        self.file_list = QListWidget()
        self.file_list.setObjectName("compose_files")
        self.file_list.setAccessibleName("Pièces jointes à envoyer : Suppr retire")
        self.file_list.setMaximumHeight(70)
        self.file_list.hide()
        column.addWidget(self.file_list)
        row = QHBoxLayout()
        self.attach = QPushButton("Joindre… (Alt+J)")
        self.attach.setObjectName("compose_attach")
        self.attach.setAutoDefault(False)
        button_shortcut(self.attach, "Alt+J")
        self.attach.clicked.connect(self.choose_file)
        self.send_button = QPushButton("Envoyer (Ctrl+Entrée)")
        self.send_button.setObjectName("compose_send")
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(lambda: spawn(self.send()))
        rule = QLabel(ATTACHMENT_RULE)
        rule.setWordWrap(True)
        row.addWidget(self.attach)
        row.addWidget(rule, 1)
        row.addWidget(self.send_button)
        column.addLayout(row)
        self.message = MessageLine("compose_message")
        column.addWidget(self.message)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.send_button.click)
        remove = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.file_list)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_current)

    # ---- attachments ------------------------------------------------------------------------------
    def choose_file(self) -> QFileDialog:
        dialog = file_dialog(self, "Joindre un fichier au message", FILE_DIALOG_FILTER)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.add_file(Path(path)) if path else None)
        dialog.open()
        self.file_dialog_opened = dialog
        return dialog

    def add_file(self, path: Path) -> bool:
        """Checked at once (type by content, 2 Mo): a refused file is never kept nor sent."""
        self.message.clear_message()
        if len(self.files) >= ATTACHMENTS_PER_MESSAGE:
            self.message.error(check_text("x", [*self.files, *self.files])["files"])
            return False
        try:
            attachment = read_attachment(path)
        except ValidationFailure as refused:
            self.message.error(refused.message)
            return False
        self.files.append(attachment)
        self._show_files()
        return True

    def remove_current(self) -> None:
        row = self.file_list.currentRow()
        if 0 <= row < len(self.files):
            del self.files[row]
            self._show_files()

    def _show_files(self) -> None:
        self.file_list.clear()
        for attachment in self.files:
            self.file_list.addItem(f"{attachment.filename} ({size_text(len(attachment.data))})")
        self.file_list.setVisible(bool(self.files))

    # ---- sending ----------------------------------------------------------------------------------
    def set_writable(self, writable: bool) -> None:
        for widget in (self.text, self.attach, self.send_button):
            widget.setEnabled(writable)

    async def send(self) -> MessageOut | None:
        if self.sending or not self.send_button.isEnabled():
            return None
        text = self.text.toPlainText()
        errors = check_text(text, self.files)
        if errors:
            self.message.error(" ; ".join(errors.values()))
            return None
        self.message.clear_message()
        self.sending = True
        try:
            message = await self.service.send(text, list(self.files))
        except ApiProblem as problem:
            if alive(self):
                prefix = NOT_SENT if isinstance(problem, ServerUnavailable) else ""
                self.message.error(prefix + problem_text(problem))
            return None
        finally:
            self.sending = False
        if alive(self):
            self.text.clear()
            self.files = []
            self._show_files()
            self.sent.emit(message)
        return message
