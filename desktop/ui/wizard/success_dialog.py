"""« Déclenchement réussi »: per prescription the care, the profession and how many were notified."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from desktop.state.wizard.success import case_title, reached_nobody_advice, success_lines
from desktop.ui.keys import button_shortcut
from shared.schemas.dispatch import CaseCreated

PENDING_TITLE = "En attente d'envoi"
PENDING_TEXT = (
    "Le serveur central n'a pas encore reçu ce déclenchement : il est conservé sur ce poste et "
    "sera envoyé dès le retour de la connexion (une seule fois)."
)


SAME_PATIENT = "Nouveau déclenchement pour ce patient"


class SuccessDialog(QDialog):
    another_patient = Signal()
    same_patient = Signal()  # « Nouveau déclenchement pour ce patient » (offered once the case is sent)
    reopen = Signal()  # « Reprendre dans l'assistant » (offered when the server refused the case)

    def __init__(
        self,
        created: CaseCreated | None,
        service: str = "",
        *,
        failure: str | None = None,
        patient_known: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("success")
        failed = "Échec de l'envoi" if failure else PENDING_TITLE
        self.setWindowTitle(case_title(created) if created else failed)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{self.windowTitle()}</b>")
        heading.setObjectName("heading")
        layout.addWidget(heading)
        self.lines = success_lines(created, service) if created else [failure or PENDING_TEXT]
        for line in self.lines:
            label = QLabel(line)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.advice = QLabel(reached_nobody_advice(created) if created else "")
        self.advice.setObjectName("reached_nobody")
        self.advice.setWordWrap(True)
        self.advice.setStyleSheet("color: #6a1b9a; font-weight: bold")
        self.advice.setVisible(bool(self.advice.text()))
        layout.addWidget(self.advice)
        buttons = QHBoxLayout()
        other = QPushButton("Autre patient (Alt+A)")
        other.setObjectName("another")
        button_shortcut(other, "Alt+A")
        other.clicked.connect(self._another)
        self.same = QPushButton(f"{SAME_PATIENT} (Alt+D)")
        self.same.setObjectName("same_patient")
        button_shortcut(self.same, "Alt+D")
        self.same.clicked.connect(self._same)
        self.same.setVisible(created is not None and patient_known)
        self.reopen_button = QPushButton("Reprendre dans l'assistant (Alt+R)")
        self.reopen_button.setObjectName("reopen")
        button_shortcut(self.reopen_button, "Alt+R")
        self.reopen_button.clicked.connect(self._reopen)
        self.reopen_button.setVisible(bool(failure))
        ok = QPushButton("OK")
        ok.setObjectName("ok")
        ok.setDefault(True)
        ok.clicked.connect(self.accept)
        buttons.addStretch(1)
        buttons.addWidget(self.reopen_button)
        buttons.addWidget(self.same)
        buttons.addWidget(other)
        buttons.addWidget(ok)
        layout.addLayout(buttons)
        self.resize(560, 160)

    def _reopen(self) -> None:
        self.reopen.emit()
        self.accept()

    def _same(self) -> None:
        self.same_patient.emit()
        self.accept()

    def _another(self) -> None:
        self.another_patient.emit()
        self.accept()
