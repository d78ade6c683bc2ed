"""Fields bound to a wizard step: a widget, its label and the inline French error under it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.wizard.choice_buttons import ChoiceButtons

ERROR_STYLE = "color: #b3261e; font-size: 11px;"
Widget = QLineEdit | QComboBox | QPlainTextEdit | ChoiceButtons


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class BoundForm:
    """Widgets keyed by field name; ``write(name, text)`` is called on each edit by the operator."""

    def __init__(self, layout: QFormLayout, write: Callable[[str, str], None], prefix: str = "") -> None:
        self.layout = layout
        self.write = write
        self.prefix = prefix
        self.widgets: dict[str, Widget] = {}
        self.errors: dict[str, QLabel] = {}
        self._loading = False

    def _row(self, name: str, label: str, widget: Widget) -> None:
        box = QWidget()
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # rows never stretch
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        message = error_label()
        message.setObjectName(f"error_{name}")
        column.addWidget(message)
        widget.setObjectName(name)
        self.layout.addRow(label, box)
        self.widgets[name] = widget
        self.errors[name] = message

    def line(self, name: str, label: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda text, n=name: self._edited(n, text))
        self._row(name, label, edit)
        return edit

    def combo(self, name: str, label: str, choices: list[tuple[str, str]]) -> QComboBox:
        """``choices``: (value, label); the first may be ("", "— choisir —")."""
        box = QComboBox()
        for value, text in choices:
            box.addItem(text, value)
        box.currentIndexChanged.connect(lambda _i, n=name, b=box: self._edited(n, str(b.currentData())))
        self._row(name, label, box)
        return box

    def buttons(self, name: str, label: str, choices: list[tuple[str, str]]) -> ChoiceButtons:
        """A row of checkable buttons (« Type PeC »); ``choices``: (value, label), none chosen first."""
        row = ChoiceButtons(label, choices)
        row.chosen.connect(lambda value, n=name: self._edited(n, value))
        self._row(name, label, row)
        return row

    def text(self, name: str, label: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(60)
        edit.textChanged.connect(lambda n=name, e=edit: self._edited(n, e.toPlainText()))
        self._row(name, label, edit)
        return edit

    def _edited(self, name: str, value: str) -> None:
        if self._loading:
            return
        self.errors[name].hide()
        self.write(name, value)

    def load(self, values: dict[str, str]) -> None:
        """Shows the step's values (after navigation, a draft, a card read)."""
        self._loading = True
        try:
            for name, widget in self.widgets.items():
                value = values.get(name, "")
                if isinstance(widget, QLineEdit):
                    if widget.text() != value:
                        widget.setText(value)
                elif isinstance(widget, QComboBox):
                    index = widget.findData(value)
                    widget.setCurrentIndex(max(index, 0))
                elif isinstance(widget, ChoiceButtons):
                    widget.set_value(value)
                elif widget.toPlainText() != value:
                    widget.setPlainText(value)
        finally:
            self._loading = False

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        """Each message next to its field; returns the first widget in error (to focus)."""
        first: QWidget | None = None
        for name, label in self.errors.items():
            message = errors.get(self.prefix + name)
            label.setText(message or "")
            label.setVisible(bool(message))
            if message and first is None:
                first = self.widgets[name]
        return first
