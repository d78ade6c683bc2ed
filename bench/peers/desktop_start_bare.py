"""The floor of bench/peers/desktop_start.py: a bare PySide6 window, its first paint marked.

Launched exactly as the desktop is there (a fresh interpreter, ``python -c``, offscreen Qt): the
interpreter, PySide6's import, a QApplication and one small window painted — what any PySide6
application pays before its first window, and nothing of ours.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget


class Bare(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Centrale")
        layout = QVBoxLayout(self)
        for widget in (QLabel("Connexion"), QLineEdit(), QPushButton("Se connecter")):
            layout.addWidget(widget)
        self.painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            print(f"PAINTED Bare {time.time():.6f}", flush=True)


def main() -> int:
    app = QApplication(sys.argv)
    window = Bare()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
