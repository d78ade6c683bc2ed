"""The demo's card actions (`centrale --demo` only): insert or pull out the demo Carte Vitale and
the demo CPS (``desktop.demo_card.DemoCards``) from a « Démonstration » toolbar."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar

from desktop.demo_card import CPS_SLOT, VITALE_SLOT, DemoCards

LABELS = {
    VITALE_SLOT: ("Insérer la carte Vitale de démonstration", "Retirer la carte Vitale de démonstration"),
    CPS_SLOT: ("Insérer la carte CPS de démonstration", "Retirer la carte CPS de démonstration"),
}
SHORTCUTS = {VITALE_SLOT: "Ctrl+Shift+V", CPS_SLOT: "Ctrl+Shift+C"}
KEY_NAMES = {VITALE_SLOT: "Ctrl+Maj+V", CPS_SLOT: "Ctrl+Maj+C"}  # as a French keyboard names them


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
            action.triggered.connect(lambda _checked=False, s=slot: self.toggle(s))
            self.toolbar.addAction(action)
            self.actions[slot] = action
            self._label(slot)

    def _label(self, slot: int) -> None:
        text = LABELS[slot][1 if self.cards.inserted(slot) else 0]
        self.actions[slot].setText(f"{text} ({KEY_NAMES[slot]})")

    def toggle(self, slot: int) -> None:
        try:
            self.cards.toggle(slot)
        except OSError as exc:
            self.window.statusBar().showMessage(f"Lecteur virtuel injoignable : {exc}", 10_000)
        self._label(slot)


def install_demo_cards(window: QMainWindow, cards: DemoCards | None) -> DemoCardActions | None:
    """The toolbar when the demo cards could be started (pcscd with vpcd), else nothing."""
    return DemoCardActions(window, cards) if cards is not None else None
