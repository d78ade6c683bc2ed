"""Keyboard shortcuts of buttons that act at once.

``QPushButton.setShortcut`` clicks through ``animateClick()``, about 100 ms later: an operator who
types Alt+N then Entrée would have « Suivant » run before « Ce patient n'est pas enregistré ». A
``QShortcut`` owned by the button clicks it synchronously, and only while the button is visible
(a page of the wizard that is not shown keeps its shortcuts off).

``enter_submits`` is Entrée in a line edit that submits something, once (never ``returnPressed``:
in a dialog the default button would fire as well).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QLineEdit


def button_shortcut(button: QAbstractButton, keys: str) -> QShortcut:
    shortcut = QShortcut(QKeySequence(keys), button)
    shortcut.activated.connect(lambda: button.click() if button.isEnabled() else None)
    return shortcut


class _EnterSubmits(QObject):
    def __init__(self, edit: QLineEdit, submit: Callable[[], object]) -> None:
        super().__init__(edit)
        self.submit = submit

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        ):
            self.submit()
            return True  # consumed: the dialog's default button does not fire it a second time
        return False


def enter_submits(edit: QLineEdit, submit: Callable[[], object]) -> None:
    """Entrée in `edit` runs `submit` once. Not `returnPressed.connect(...)`: QLineEdit lets the
    key go on after emitting it, and in a dialog the default (or auto-default) button then fires
    too — a comment posted twice (issue 18, item 4)."""
    edit.installEventFilter(_EnterSubmits(edit, submit))
