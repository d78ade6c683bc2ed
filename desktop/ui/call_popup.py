"""The incoming-call popup: the number at once, the identified caller as soon as known, and the
commands with their keyboard shortcuts shown on the buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.tasks import spawn
from desktop.workflows.call_flow import CallFlow, CallPhase, CallView
from shared.validation import format_phone_national

# (object name, label, shortcut)
COMMANDS = (
    ("answer", "Décrocher", "F2"),
    ("reject", "Refuser", "F3"),
    ("hang_up", "Raccrocher", "F4"),
    ("hold", "Mettre en attente", "F6"),
    ("mute", "Couper le micro", "F7"),
    ("new_case", "Nouveau déclenchement", "F8"),
)


class CallPopup(QWidget):
    new_case = Signal(int)  # the softphone call id

    def __init__(self, flow: CallFlow) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("call_popup")
        self.setWindowTitle("Appel entrant")
        self.flow = flow
        self.view: CallView | None = None
        layout = QVBoxLayout(self)
        self.phase = QLabel()
        self.phase.setObjectName("phase")
        self.number = QLabel()
        self.number.setObjectName("number")
        self.number.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.identity = QLabel()
        self.identity.setObjectName("identity")
        self.identity.setWordWrap(True)
        self.candidates = QListWidget()
        self.candidates.setObjectName("candidates")
        self.candidates.setMaximumHeight(90)
        self.candidates.itemActivated.connect(self._choose)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b3261e;")
        for widget in (self.phase, self.number, self.identity, self.candidates, self.message):
            layout.addWidget(widget)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for index, (name, label, keys) in enumerate(COMMANDS):
            button = QPushButton(f"{label} ({keys})")
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, n=name: self.command(n))
            grid.addWidget(button, index // 3, index % 3)
            self.buttons[name] = button
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda n=name: self.command(n))
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        layout.addLayout(grid)
        self.resize(460, 240)

    def refresh(self, view: CallView | None) -> None:
        """``CallFlow.on_change``: shows the call that needs the operator (ringing first)."""
        ringing, active = self.flow.ringing(), self.flow.active()
        shown = ringing[0] if ringing else active
        if shown is None and view is not None and view.phase is not CallPhase.ENDED:
            shown = view
        self.view = shown
        self.message.setText(self.flow.message)
        if shown is None:
            self.hide()
            return
        waiting = " — double appel" if shown.waiting else ""
        self.phase.setText(f"{shown.phase.label}{waiting}")
        self.number.setText(_display(shown.number))
        self.identity.setText(shown.identity_line)
        self.candidates.clear()
        for candidate in shown.candidates:
            item = QListWidgetItem(f"{candidate.display_name} — {candidate.detail}")
            item.setData(Qt.ItemDataRole.UserRole, candidate.id)
            self.candidates.addItem(item)
        self.candidates.setVisible(len(shown.candidates) > 1)
        is_ringing = shown.phase is CallPhase.RINGING
        self.buttons["answer"].setEnabled(is_ringing or shown.phase is CallPhase.HELD)
        self.buttons["reject"].setEnabled(is_ringing)
        self.buttons["hang_up"].setEnabled(not is_ringing)
        self.buttons["hold"].setEnabled(shown.phase is CallPhase.ACTIVE)
        self.buttons["mute"].setEnabled(shown.phase is CallPhase.ACTIVE)
        self.buttons["mute"].setText(f"{'Rétablir' if shown.muted else 'Couper'} le micro (F7)")
        if not self.isVisible():
            self.show()
            self.raise_()

    def _choose(self, item: QListWidgetItem) -> None:
        if self.view is not None:
            self.flow.choose_candidate(self.view.call_id, str(item.data(Qt.ItemDataRole.UserRole)))

    def command(self, name: str) -> None:
        view = self.view
        if view is None or not self.buttons[name].isEnabled():
            return
        call_id = view.call_id
        if name == "new_case":
            self.new_case.emit(call_id)
        elif name == "answer":
            spawn(self.flow.unhold(call_id) if view.phase is CallPhase.HELD else self.flow.answer(call_id))
        elif name == "reject":
            spawn(self.flow.reject(call_id))
        elif name == "hang_up":
            spawn(self.flow.hang_up(call_id))
        elif name == "hold":
            spawn(self.flow.hold(call_id))
        elif name == "mute":
            spawn(self.flow.toggle_mute(call_id))


def _display(number: str) -> str:
    """« 01 99 00 90 09 » for a French number; anything else as received."""
    try:
        return format_phone_national(number)
    except ValueError:
        return number
