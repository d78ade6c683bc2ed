"""The wizard window: the five pages, « Retour » / « Suivant » / « Déclencher », Enter = Suivant,
« Annuler » (Échap) that closes it and keeps its draft.

A child window of the main window (``parent`` with ``Qt.Window``): its own frame beside the board,
yet it never falls behind the main window and closes with it (``docs/desktop.md``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.state.wizard.wizard import Step, Wizard
from desktop.sync.client import ApiClient
from desktop.ui.keys import button_shortcut
from desktop.ui.tasks import spawn
from desktop.ui.wizard.caller_page import CallerPage
from desktop.ui.wizard.form import ERROR_STYLE
from desktop.ui.wizard.page import StepPage
from desktop.ui.wizard.patient_page import PatientPage
from desktop.ui.wizard.qualification_page import QualificationPage
from desktop.ui.wizard.search_page import SearchPage
from desktop.ui.wizard.usual_page import UsualPage

Send = Callable[[Wizard], Awaitable[None]]


class WizardWindow(QWidget):
    closed = Signal(str)  # the draft id: the draft stays unless the case was sent
    cancelled = Signal(str)  # the draft id: « Annuler » (Échap), the draft kept

    def __init__(
        self, wizard: Wizard, client: ApiClient | None, send: Send, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)  # a top-level frame owned by `parent`
        self.setWindowTitle("Création déclenchement")
        self.setObjectName("wizard")
        self.resize(760, 720)
        self.wizard = wizard
        self.send = send
        self.busy = False
        self.pages: list[StepPage] = [
            CallerPage(wizard),
            SearchPage(wizard, client),
            PatientPage(wizard, client),
            UsualPage(wizard, client),
            QualificationPage(wizard, client),
        ]
        layout = QVBoxLayout(self)
        self.steps = QLabel()
        self.steps.setObjectName("steps")
        layout.addWidget(self.steps)
        self.stack = QStackedWidget()
        for page in self.pages:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        layout.addWidget(self.stack, 1)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Retour (Alt+R)")
        button_shortcut(self.back_button, "Alt+R")
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton("Suivant (Entrée)")
        self.next_button.setObjectName("next")
        self.next_button.clicked.connect(lambda: spawn(self.go_next()))
        self.send_button = QPushButton("Déclencher (Ctrl+Entrée)")
        self.send_button.setObjectName("send")
        self.send_button.clicked.connect(lambda: spawn(self.go_next()))
        self.cancel_button = QPushButton("Annuler (Échap)")
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setToolTip(
            "Ferme l'assistant ; le brouillon est gardé pour le reprendre plus tard"
        )
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Échap is its key: Tab's path unchanged
        self.cancel_button.clicked.connect(self.cancel)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self).activated.connect(self.cancel)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.send_button)
        layout.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda: spawn(self.go_next()))
        self.show_step()

    @property
    def page(self) -> StepPage:
        return self.pages[self.wizard.step]

    def show_step(self, focus: QWidget | None = None) -> None:
        step = self.wizard.step
        marks = [f"<b>{s + 1}. {s.title}</b>" if s == step else f"{s + 1}. {s.title}" for s in Step]
        self.steps.setText("  ›  ".join(marks))
        self.stack.setCurrentIndex(step)
        self.page.load()
        last = step is Step.QUALIFICATION
        self.next_button.setVisible(not last)
        self.send_button.setVisible(last)
        self.back_button.setEnabled(step is not Step.CALLER)
        target = focus or self.page.first_field()
        if target is not None:
            target.setFocus()

    async def go_next(self) -> None:
        """« Suivant », and « Déclencher » on the last step."""
        if self.busy:
            return
        self.busy = True
        try:
            await self.page.prepare()
            step = self.wizard.step
            if not self.wizard.next():
                self.show_errors()
                return
            if step is Step.QUALIFICATION:
                self.message.setStyleSheet("")
                self.message.setText("Envoi en cours…")
                await self.send(self.wizard)
            else:
                self.message.setStyleSheet("")
                self.message.setText("")
                self.show_step()
        finally:
            self.busy = False

    def go_back(self) -> None:
        self.wizard.back()
        self.show_step()

    def show_errors(self) -> None:
        """Each message next to its field; one without a field of its own (a rule on several
        fields, a server rule) under the page, so that a step never refuses silently."""
        self.show_step(self.page.show_errors(self.wizard.errors))
        keys = self.page.field_keys()
        others = [text for key, text in self.wizard.errors.items() if key not in keys]
        self.message.setText("\n".join(others))
        self.message.setStyleSheet(ERROR_STYLE if others else "")

    def show_submission_errors(self) -> None:
        """``submission()`` moved the wizard to the step in error: show it."""
        self.show_errors()

    def show_failure(self, text: str) -> None:
        """« Déclencher » could not even queue the case (nothing was sent): why, under the page."""
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE)

    def cancel(self) -> None:
        """« Annuler » / Échap: the window closes, the draft stays (saved on every change)."""
        self.cancelled.emit(self.wizard.draft_id)
        self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
            self.focusWidget(), QPlainTextEdit
        ):
            spawn(self.go_next())
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit(self.wizard.draft_id)
        super().closeEvent(event)
