"""A row of checkable buttons for a short list (the tutorial's « Type PeC : Visite Consultation
Visio Conseil Télémédecine »), one stop in the Tab order like the list it replaces.

By keyboard: the row takes the focus as a whole; an initial picks as in a list (« V » Visite,
« V » again Visio, « Visio » typed quickly Visio), ← → move the choice, Espace keeps it. By
mouse: a click on a button. The accessible name is the field's; the description says the choice."""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QButtonGroup, QHBoxLayout, QPushButton, QWidget

FOCUS_STYLE = "ChoiceButtons:focus { border: 2px solid #1a73e8; border-radius: 4px; }"


def _plain(text: str) -> str:
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode().casefold()


class ChoiceButtons(QWidget):
    """``choices``: (value, label); ``value()`` is "" until one is chosen."""

    chosen = Signal(str)

    def __init__(self, name: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(FOCUS_STYLE)
        self.setAccessibleName(name)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # a second click on the chosen button leaves it chosen
        self.buttons: list[QPushButton] = []
        self._values: list[str] = []
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 2, 2, 2)
        row.setSpacing(4)
        for value, label in choices:
            button = QPushButton(label)
            button.setObjectName(f"choice_{value}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the row is the one Tab stop
            button.clicked.connect(lambda _checked=False, v=value: self._pick(v, by_user=True))
            self.group.addButton(button)
            row.addWidget(button)
            self.buttons.append(button)
            self._values.append(value)
        row.addStretch(1)
        self._typed = ""
        self._since_typed = QElapsedTimer()
        self._describe()

    def value(self) -> str:
        for value, button in zip(self._values, self.buttons, strict=True):
            if button.isChecked():
                return value
        return ""

    def set_value(self, value: str) -> None:
        """Shows ``value`` (a draft, navigation) without it counting as the operator's choice."""
        self._pick(value, by_user=False)

    def _pick(self, value: str, *, by_user: bool) -> None:
        for candidate, button in zip(self._values, self.buttons, strict=True):
            button.setChecked(candidate == value)
        self._describe()
        if by_user:
            self.chosen.emit(value)

    def _describe(self) -> None:
        current = self.value()
        label = next((b.text() for v, b in zip(self._values, self.buttons, strict=True) if v == current), "")
        said = f"Choisi : {label}" if label else "Aucun choix"
        self.setAccessibleDescription(f"{said}. Initiale ou flèches gauche et droite pour choisir.")
        self.setToolTip(said)

    def _index(self) -> int:
        current = self.value()
        return self._values.index(current) if current in self._values else -1

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up):
            step = 1 if key in (Qt.Key.Key_Right, Qt.Key.Key_Down) else -1
            index = self._index()
            start = (0 if step > 0 else len(self._values) - 1) if index < 0 else index + step
            self._pick(self._values[start % len(self._values)], by_user=True)
            return
        if key == Qt.Key.Key_Space and self._index() < 0 and self._values:
            self._pick(self._values[0], by_user=True)
            return
        text = event.text()
        if text and text.isprintable() and not text.isspace():
            self._search(text)
            return
        super().keyPressEvent(event)

    def _search(self, text: str) -> None:
        """As a list's keyboard search: typed quickly the letters add up; one letter again moves
        to the next choice with that initial."""
        interval = QApplication.keyboardInputInterval()
        quick = self._since_typed.isValid() and self._since_typed.elapsed() < interval
        self._since_typed.restart()
        typed = self._typed + text if quick else text
        if quick and len(set(_plain(typed))) == 1 and len(typed) > 1:
            typed = text  # « V V »: the next one in V, not a search for « vv »
        self._typed = typed
        labels = [_plain(button.text()) for button in self.buttons]
        count = len(labels)
        index = self._index()
        first = index + 1 if len(typed) == 1 else max(index, 0)
        for offset in range(count):
            candidate = (first + offset) % count
            if labels[candidate].startswith(_plain(typed)):
                self._pick(self._values[candidate], by_user=True)
                return

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._typed = ""
        super().focusInEvent(event)
