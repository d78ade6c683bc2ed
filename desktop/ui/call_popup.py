"""The call popup: the number at once, the identified caller as soon as known, the commands with
their keyboard shortcuts shown on the buttons, the DTMF pad and the blind transfer; with two calls
(a second one ringing while in a call, or one on hold) both are listed and either can be taken."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.state.call_flow import CallFlow, CallPhase, CallView
from desktop.ui.call_controls import DTMF_KEYS, DtmfPad, TransferBox
from desktop.ui.tasks import spawn
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
        self.selected: int | None = None  # a call chosen in the list of calls (else the default one)
        self._seen: set[int] = set()
        self.dtmf_sent: dict[int, str] = {}
        outer = QHBoxLayout(self)
        layout = QVBoxLayout()
        outer.addLayout(layout, 3)
        self.calls = QListWidget()
        self.calls.setObjectName("calls")
        self.calls.setToolTip("Appels en cours : flèches puis Entrée pour choisir celui à traiter")
        self.calls.setMaximumHeight(70)
        self.calls.itemActivated.connect(self._select_call)
        layout.addWidget(self.calls)
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
        side = QVBoxLayout()
        outer.addLayout(side, 2)
        self.pad = DtmfPad()
        self.pad.digit.connect(self.send_dtmf)
        side.addWidget(self.pad)
        self.transfer_box = TransferBox()
        self.transfer_box.transfer.connect(self.transfer)
        side.addWidget(self.transfer_box)
        for widget in (self.candidates, self.calls):  # digits typed there are DTMF, not a search
            widget.installEventFilter(self)
        self.resize(700, 300)

    def refresh(self, view: CallView | None) -> None:
        """``CallFlow.on_change``: shows the call that needs the operator (ringing first)."""
        shown = self._shown(view)
        self.view = shown
        self.message.setText(self.flow.message)
        self._list_calls(shown)
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
        self.pad.setEnabled(shown.phase is CallPhase.ACTIVE)
        self.pad.show_sent(self.dtmf_sent.get(shown.call_id, ""))
        self.transfer_box.setEnabled(shown.phase in (CallPhase.ACTIVE, CallPhase.HELD))
        if not self.isVisible():
            self.show()
            self.raise_()

    def _shown(self, view: CallView | None) -> CallView | None:
        """The call the popup works on: the one chosen in the list, else a new ringing call, else
        the call in progress, else one on hold."""
        calls = self.flow.calls
        new = [c for c in calls if c not in self._seen]
        self._seen = set(calls)
        for call_id in new:  # pjsua2 reuses call ids: nothing of an earlier call shows
            self.dtmf_sent.pop(call_id, None)
        ringing = self.flow.ringing()
        if any(c.call_id in new for c in ringing):
            self.selected = None  # a call that just arrived comes to the front
        if self.selected in calls:
            return calls[self.selected]
        self.selected = None
        held = self.flow.held()
        shown = ringing[0] if ringing else self.flow.active() or (held[0] if held else None)
        if shown is None and view is not None and view.phase is not CallPhase.ENDED:
            shown = view if view.call_id in calls else None
        return shown

    def _list_calls(self, shown: CallView | None) -> None:
        row = self.calls.currentRow()  # the operator may be moving in the list: kept
        self.calls.clear()
        for call in self.flow.calls.values():
            waiting = " — double appel" if call.waiting else ""
            text = f"{call.phase.label}{waiting} : {_display(call.number)} — {call.identity_line}"
            item = QListWidgetItem(("▶ " if call is shown else "") + text)
            item.setData(Qt.ItemDataRole.UserRole, call.call_id)
            self.calls.addItem(item)
        if 0 <= row < self.calls.count():
            self.calls.setCurrentRow(row)
        self.calls.setVisible(len(self.flow.calls) > 1)

    def _select_call(self, item: QListWidgetItem) -> None:
        self.select_call(int(item.data(Qt.ItemDataRole.UserRole)))

    def select_call(self, call_id: int) -> None:
        """The commands now act on this call (F2 takes a held one back)."""
        if call_id in self.flow.calls:
            self.selected = call_id
            self.refresh(None)

    def send_dtmf(self, digit: str) -> None:
        view = self.view
        if view is None or view.phase is not CallPhase.ACTIVE:
            return
        self.dtmf_sent[view.call_id] = self.dtmf_sent.get(view.call_id, "") + digit
        self.pad.show_sent(self.dtmf_sent[view.call_id])
        spawn(self.flow.send_dtmf(view.call_id, digit))

    def transfer(self, destination: str) -> None:
        view = self.view
        if view is not None and view.phase in (CallPhase.ACTIVE, CallPhase.HELD):
            spawn(self.flow.transfer(view.call_id, destination))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A digit, * or # typed while the popup has the focus is sent as DTMF."""
        if _is_dtmf(event):
            self.send_dtmf(event.text())
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        is_key = event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
        if is_key and _is_dtmf(event) and self.pad.isEnabled():  # type: ignore[arg-type]
            self.send_dtmf(event.text())  # type: ignore[attr-defined]
            return True
        return super().eventFilter(watched, event)

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


def _is_dtmf(event: QKeyEvent) -> bool:
    """0–9, * or # typed alone (Shift allowed: * and # need it on some keyboards)."""
    text = event.text()
    chorded = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    return len(text) == 1 and text in DTMF_KEYS and not chorded


def _display(number: str) -> str:
    """« 01 99 00 90 09 » for a French number; anything else as received."""
    try:
        return format_phone_national(number)
    except ValueError:
        return number
