"""« Ajouter des participants »: the same name search as « Nouveau message », without those already
in the thread; a patient thread offers only people who may see the patient (the server refuses
anyone else: 403, audited, said here in French)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop.services.messaging import MessagingService
from desktop.state.messaging_compose import NOBODY_TICKED
from desktop.ui.messaging.recipient_picker import RecipientPicker
from desktop.ui.prescription.widgets import MessageLine, alive, request_action
from desktop.ui.tasks import spawn
from shared.schemas.messaging import ThreadOut


class AddParticipantsDialog(QDialog):
    added = Signal(object)  # the ThreadOut after the addition

    def __init__(self, service: MessagingService, thread: ThreadOut, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("add_participants")
        self.setWindowTitle("Ajouter des participants")
        self.resize(480, 420)
        self.service = service
        present = {p.user_id for p in thread.participants if p.left_at is None} | {service.user_id}
        self.picker = RecipientPicker(service.api, thread_id=thread.id, excluded=lambda: present)
        column = QVBoxLayout(self)
        column.addWidget(self.picker, 1)
        self.message = MessageLine("add_participants_message")
        column.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.add = QPushButton("Ajouter (Ctrl+Entrée)")
        self.add.setObjectName("add_participants_add")
        self.add.setAutoDefault(False)
        self.add.clicked.connect(lambda: spawn(self.submit()))
        cancel = QPushButton("Annuler (Échap)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        row.addWidget(self.add)
        row.addWidget(cancel)
        column.addLayout(row)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.add.click)
        self.picker.search.setFocus()

    async def submit(self) -> ThreadOut | None:
        ids = self.picker.chosen.ids
        if not ids:
            self.message.error(NOBODY_TICKED)
            return None
        done = await request_action(self, self.message, self.service.add_participants(ids))
        if done is None or not alive(self):
            return None
        self.added.emit(done.value)
        self.accept()
        return done.value
