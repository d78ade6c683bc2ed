"""Keyboard shortcuts of buttons that act at once.

``QPushButton.setShortcut`` clicks through ``animateClick()``, about 100 ms later: an operator who
types Alt+N then Entrée would have « Suivant » run before « Ce patient n'est pas enregistré ». A
``QShortcut`` owned by the button clicks it synchronously, and only while the button is visible
(a page of the wizard that is not shown keeps its shortcuts off).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton


def button_shortcut(button: QAbstractButton, keys: str) -> QShortcut:
    shortcut = QShortcut(QKeySequence(keys), button)
    shortcut.activated.connect(lambda: button.click() if button.isEnabled() else None)
    return shortcut
