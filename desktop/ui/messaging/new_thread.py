"""« Nouveau message » (Ctrl+Maj+N in « Messagerie »): search people by name, tick one or several,
an optional subject, the first message, « Rédiger » (Ctrl+Entrée). From a request's details
(« Écrire au professionnel ») the thread is linked to the request and only people who may see its
patient are offered. Nothing typed is lost: a refusal or an unreachable server leaves the dialog
open with its French message."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.messaging import MessagingService
from desktop.state.messaging_compose import ComposeRefused, NewThread
from desktop.sync.errors import ApiProblem, ServerUnavailable
from desktop.ui.messaging.recipient_picker import RecipientPicker
from desktop.ui.prescription.widgets import MessageLine, alive, problem_text
from desktop.ui.tasks import spawn
from shared.schemas.messaging import MESSAGE_TEXT_MAX, SUBJECT_MAX, RecipientOut, ThreadOut

NOT_SENT = "Message non envoyé, gardé ici : "


class NewThreadDialog(QDialog):
    started = Signal(object)  # the ThreadOut made

    def __init__(
        self,
        service: MessagingService,
        parent: QWidget | None = None,
        *,
        new: NewThread | None = None,
        preset: list[RecipientOut] | None = None,
        about: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("new_thread")
        self.setWindowTitle("Nouveau message")
        self.resize(560, 600)
        self.service = service
        self.new = new or NewThread()
        column = QVBoxLayout(self)
        if about:
            linked = QLabel(about)
            linked.setObjectName("new_thread_about")
            linked.setWordWrap(True)
            column.addWidget(linked)
        me = service.user_id
        self.picker = RecipientPicker(service.api, patient_id=self.new.patient_id, excluded=lambda: {me})
        self.picker.preset(preset or [])
        column.addWidget(self.picker, 2)
        subject_label = QLabel("&Objet (facultatif) :")
        self.subject = QLineEdit(self.new.subject)
        self.subject.setObjectName("new_thread_subject")
        self.subject.setMaxLength(SUBJECT_MAX)
        self.subject.setPlaceholderText("Apparaît dans les notifications : pas de nom de patient")
        subject_label.setBuddy(self.subject)
        column.addWidget(subject_label)
        column.addWidget(self.subject)
        text_label = QLabel(f"&Message ({MESSAGE_TEXT_MAX} caractères au plus) :")
        self.text = QPlainTextEdit(self.new.text)
        self.text.setObjectName("new_thread_text")
        self.text.setTabChangesFocus(True)
        text_label.setBuddy(self.text)
        column.addWidget(text_label)
        column.addWidget(self.text, 1)
        self.message = MessageLine("new_thread_message")
        column.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.write = QPushButton("Rédiger (Ctrl+Entrée)")
        self.write.setObjectName("new_thread_write")
        self.write.setAutoDefault(False)
        self.write.clicked.connect(lambda: spawn(self.submit()))
        cancel = QPushButton("Annuler (Échap)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons.addWidget(self.write)
        buttons.addWidget(cancel)
        column.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.write.click)
        self.sending = False
        self.picker.search.setFocus()

    async def submit(self) -> ThreadOut | None:
        if self.sending:
            return None  # Ctrl+Entrée twice: one thread
        self.new.recipients = self.picker.chosen
        self.new.subject = self.subject.text()
        self.new.text = self.text.toPlainText()
        self.message.clear_message()
        self.sending = True
        self.write.setEnabled(False)
        try:
            thread = await self.service.start(self.new)
        except ComposeRefused as refused:
            self.message.error(" ; ".join(refused.errors.values()))
            return None
        except ApiProblem as problem:
            if alive(self):
                prefix = NOT_SENT if isinstance(problem, ServerUnavailable) else ""
                self.message.error(prefix + problem_text(problem))
            return None
        finally:
            self.sending = False
            if alive(self):
                self.write.setEnabled(True)
        if alive(self):
            self.started.emit(thread)
            self.accept()
        return thread
