"""The card button of a wizard page (« Lire la carte Vitale », « Lire la carte CPS ») with its
shortcut, and the line beside it where the card's outcome or error is written in French."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.ui.keys import button_shortcut
from desktop.ui.wizard.form import ERROR_STYLE

INFO_STYLE = "color: #1f5f2b; font-size: 11px;"


class CardButton(QWidget):
    requested = Signal()  # the operator asks to read the card in the reader

    def __init__(self, text: str, keys: str, name: str) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton(f"{text} ({keys})")
        self.button.setObjectName(name)
        button_shortcut(self.button, keys)
        self.button.clicked.connect(lambda: self.requested.emit())  # not clicked's bool
        row.addWidget(self.button)
        self.message = QLabel()
        self.message.setObjectName(f"{name}_message")
        self.message.setWordWrap(True)
        row.addWidget(self.message, 1)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)

    @property
    def is_error(self) -> bool:
        return bool(self.message.text()) and self.message.styleSheet() == ERROR_STYLE
