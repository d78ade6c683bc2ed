"""The call popup's DTMF pad and blind-transfer box.

The pad's keys are their own shortcuts: a digit, * or # typed while the popup has the focus is
sent too (``CallPopup.keyPressEvent``), except in the transfer field where it is typed. The
transfer is « Transférer (F9) » (Entrée in the field does the same); a destination that cannot be
dialled gets its French message under the field and nothing is sent.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.state.call_flow import transfer_destination_error
from desktop.ui.keys import button_shortcut, enter_submits

DTMF_KEYS = "123456789*0#"
TRANSFER_KEYS = "F9"


class DtmfPad(QWidget):
    digit = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("dtmf_pad")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Clavier (tapez 0–9, * ou #)")
        layout.addWidget(caption)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for index, key in enumerate(DTMF_KEYS):
            button = QPushButton(key)
            button.setObjectName(f"dtmf_{key}")
            button.setToolTip(f"Envoie la touche {key} (touche {key} du clavier)")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the digits typed go to the popup
            button.setFixedWidth(44)
            button.clicked.connect(lambda _c=False, k=key: self.digit.emit(k))
            grid.addWidget(button, index // 3, index % 3)
            self.buttons[key] = button
        layout.addLayout(grid)
        self.sent = QLabel()
        self.sent.setObjectName("dtmf_sent")
        layout.addWidget(self.sent)

    def show_sent(self, digits: str) -> None:
        self.sent.setText(f"Envoyé : {digits[-16:]}" if digits else "")


class TransferBox(QWidget):
    transfer = Signal(str)  # a destination already checked

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("transfer_box")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Transférer vers (Alt+T) :")
        self.destination = QLineEdit()
        self.destination.setObjectName("transfer_destination")
        self.destination.setPlaceholderText("01 23 45 67 89, poste ou sip:…")
        label.setBuddy(self.destination)
        row = QHBoxLayout()
        row.addWidget(self.destination)
        self.button = QPushButton(f"Transférer ({TRANSFER_KEYS})")
        self.button.setObjectName("transfer")
        self.button.clicked.connect(self.submit)
        # application-wide like the popup's other keys; with an empty field F9 brings the focus there
        button_shortcut(self.button, TRANSFER_KEYS).setContext(Qt.ShortcutContext.ApplicationShortcut)
        row.addWidget(self.button)
        self.error = QLabel()
        self.error.setObjectName("transfer_error")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        enter_submits(self.destination, self.submit)
        self.destination.textEdited.connect(lambda _t: self.error.clear())
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def submit(self) -> None:
        if not self.isEnabled():
            return
        text = self.destination.text()
        error = transfer_destination_error(text)
        if error is not None:
            self.error.setText(error)
            self.window().activateWindow()
            self.destination.setFocus()
            return
        self.error.clear()
        self.transfer.emit(text.strip())
