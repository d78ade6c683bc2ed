"""The open thread: its header (subject, participants, the patient when allowed, the request),
« Messages précédents » (Alt+P), the messages oldest first with « vu par » under them and their
attachments as lines of their own (Entrée opens one: a private temporary copy shown by the
system's viewer), the compose box, « Ajouter des participants… » (Alt+A) and « Quitter la
conversation » (asked first). No edit nor delete anywhere: a message sent is final (traceability)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.messaging import MessagingService
from desktop.state.attachments import safe_filename
from desktop.state.messaging_thread import OLDER_LABEL, OpenThread, attachment_text
from desktop.ui.keys import button_shortcut
from desktop.ui.messaging.compose_box import ComposeBox
from desktop.ui.messaging.participants_dialog import AddParticipantsDialog
from desktop.ui.prescription.widgets import MessageLine, alive, request_action
from desktop.ui.tasks import spawn

IMMUTABLE_NOTE = "Un message envoyé ne peut être ni modifié ni supprimé (traçabilité)."
LEAVE_QUESTION = (
    "Quitter la conversation ? Vous ne recevrez plus ses messages ; vous pourrez relire ce qui a été "
    "écrit jusqu'ici, et un participant pourra vous y ajouter de nouveau."
)


class ThreadPane(QWidget):
    shown = Signal(object)  # the OpenThread rendered (tests)

    def __init__(self, service: MessagingService) -> None:
        super().__init__()
        self.setObjectName("thread_pane")
        self.service = service
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.confirm: QMessageBox | None = None
        self.participants_dialog: AddParticipantsDialog | None = None
        column = QVBoxLayout(self)
        self.header = QLabel("Choisissez une conversation (Entrée) ou « Nouveau message ».")
        self.header.setObjectName("thread_header")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        column.addWidget(self.header)
        self.note = QLabel("")
        self.note.setObjectName("thread_note")
        self.note.setWordWrap(True)
        self.note.hide()
        column.addWidget(self.note)
        self.older = QPushButton(f"{OLDER_LABEL} (Alt+P)")
        self.older.setObjectName("thread_older")
        self.older.setAutoDefault(False)
        button_shortcut(self.older, "Alt+P")
        self.older.clicked.connect(lambda: spawn(self.load_older()))
        self.older.hide()
        column.addWidget(self.older)
        self.messages = QListWidget()
        self.messages.setObjectName("thread_messages")
        self.messages.setWordWrap(True)
        self.messages.setAccessibleName("Messages : Entrée sur une pièce jointe l'ouvre")
        self.messages.itemActivated.connect(self._activated)
        column.addWidget(self.messages, 1)
        immutable = QLabel(IMMUTABLE_NOTE)
        immutable.setStyleSheet("color: #555555; font-size: 11px;")
        column.addWidget(immutable)
        self.compose = ComposeBox(service)
        column.addWidget(self.compose)
        row = QHBoxLayout()
        self.add_people = QPushButton("Ajouter des participants… (Alt+A)")
        self.add_people.setObjectName("thread_add_participants")
        self.add_people.setAutoDefault(False)
        button_shortcut(self.add_people, "Alt+A")
        self.add_people.clicked.connect(self.open_participants)
        self.leave_button = QPushButton("Quitter la conversation")
        self.leave_button.setObjectName("thread_leave")
        self.leave_button.setAutoDefault(False)
        self.leave_button.clicked.connect(self.ask_leave)
        row.addWidget(self.add_people)
        row.addStretch(1)
        row.addWidget(self.leave_button)
        column.addLayout(row)
        self.message = MessageLine("thread_message")
        column.addWidget(self.message)
        self._enable(None)

    # ---- rendering --------------------------------------------------------------------------------
    def show_thread(self, opened: OpenThread) -> None:
        at_bottom = (
            self.messages.verticalScrollBar().value() >= self.messages.verticalScrollBar().maximum() - 4
        )
        current = self.messages.currentRow()
        self.header.setText(opened.header())
        note = opened.read_only_note()
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.older.setVisible(opened.has_older)
        self.messages.clear()
        for line in opened.lines():
            item = QListWidgetItem(f"{line.header}\n{line.text}")
            if line.mine:
                item.setBackground(Qt.GlobalColor.transparent)
            self.messages.addItem(item)
            for attachment in line.attachments:
                clip = QListWidgetItem(
                    f"    Pièce jointe : {attachment_text(attachment)} — Entrée pour l'ouvrir"
                )
                clip.setData(Qt.ItemDataRole.UserRole, (attachment.id, attachment.filename))
                self.messages.addItem(clip)
            if line.seen_by:
                seen = QListWidgetItem(f"    {line.seen_by}")
                seen.setForeground(Qt.GlobalColor.darkGray)
                self.messages.addItem(seen)
        if at_bottom or current < 0:
            self.messages.scrollToBottom()
        elif current < self.messages.count():
            self.messages.setCurrentRow(current)
        self._enable(opened)
        self.shown.emit(opened)

    def _enable(self, opened: OpenThread | None) -> None:
        writable = opened is not None and opened.writable
        self.compose.set_writable(writable)
        self.add_people.setEnabled(writable)
        self.leave_button.setEnabled(opened is not None and not opened.thread.left)

    def texts(self) -> list[str]:
        """The lines shown (tests)."""
        return [self.messages.item(row).text() for row in range(self.messages.count())]

    # ---- acts -------------------------------------------------------------------------------------
    async def load_older(self) -> None:
        await request_action(self, self.message, self.service.older())

    def _activated(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if data:
            attachment_id, filename = data
            spawn(self.open_attachment(int(attachment_id), str(filename)))

    async def open_attachment(self, attachment_id: int, filename: str) -> Path | None:
        """Downloaded (the server audits it) to a private temporary folder removed with the tab."""
        opened = self.service.open_thread
        if opened is None:
            return None
        done = await request_action(
            self, self.message, self.service.api.attachment(opened.thread.id, attachment_id)
        )
        if done is None or not alive(self):
            return None
        if self.folder is None:
            self.folder = tempfile.TemporaryDirectory(prefix="centrale-messages-")
        path = Path(self.folder.name) / f"{attachment_id}-{safe_filename(filename)}"
        path.write_bytes(done.value)
        self.open_url(QUrl.fromLocalFile(str(path)))
        return path

    def open_participants(self) -> AddParticipantsDialog | None:
        opened = self.service.open_thread
        if opened is None or not opened.writable:
            return None
        dialog = AddParticipantsDialog(self.service, opened.thread, self)
        dialog.added.connect(lambda _thread: self.message.done("Participants ajoutés"))
        dialog.finished.connect(lambda _result: self._participants_closed(dialog))
        self.participants_dialog = dialog
        dialog.open()
        return dialog

    def _participants_closed(self, dialog: AddParticipantsDialog) -> None:
        if self.participants_dialog is dialog:
            self.participants_dialog = None
        dialog.deleteLater()

    def ask_leave(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, "Quitter la conversation", LEAVE_QUESTION, parent=self)
        leave = box.addButton("Quitter la conversation", QMessageBox.ButtonRole.AcceptRole)
        stay = box.addButton("Rester", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.finished.connect(lambda _r: self._left_answer(box, box.clickedButton() is leave))
        self.confirm = box
        box.open()
        return box

    def _left_answer(self, box: QMessageBox, leave: bool) -> None:
        self.confirm = None
        box.deleteLater()
        if leave:
            spawn(self.leave())

    async def leave(self) -> bool:
        done = await request_action(self, self.message, self.service.leave())
        if done is not None and alive(self):
            self.message.done("Vous avez quitté la conversation")
        return done is not None

    def cleanup(self) -> None:
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None
