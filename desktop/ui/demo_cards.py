"""The demo's card actions (`centrale --demo` only): insert or pull out the demo Carte Vitale and
the demo CPS (``desktop.demo.cards.DemoCards``, with the actions' texts) from a « Démonstration »
toolbar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar

from desktop.demo.cards import CPS_SLOT, SHORTCUTS, VITALE_SLOT, DemoCards, action_text


class DemoCardActions:
    def __init__(self, window: QMainWindow, cards: DemoCards) -> None:
        self.window = window
        self.cards = cards
        self.toolbar = QToolBar("Démonstration")
        self.toolbar.setObjectName("demo_toolbar")
        window.addToolBar(self.toolbar)
        self.actions: dict[int, QAction] = {}
        for slot in (VITALE_SLOT, CPS_SLOT):
            action = QAction(window)
            action.setShortcut(QKeySequence(SHORTCUTS[slot]))
            # the cards go in while a wizard (its own window) is in front: the key works there too
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            action.triggered.connect(lambda _checked=False, s=slot: self.toggle(s))
            self.toolbar.addAction(action)
            self.actions[slot] = action
            self._label(slot)

    def _label(self, slot: int) -> None:
        self.actions[slot].setText(action_text(slot, self.cards.inserted(slot)))

    def toggle(self, slot: int) -> None:
        try:
            self.cards.toggle(slot)
        except OSError as exc:
            self.window.statusBar().showMessage(f"Lecteur virtuel injoignable : {exc}", 10_000)
        self._label(slot)


def install_demo_cards(window: QMainWindow, cards: DemoCards | None) -> DemoCardActions | None:
    """The toolbar when the demo cards could be started (pcscd with vpcd), else nothing."""
    return DemoCardActions(window, cards) if cards is not None else None
