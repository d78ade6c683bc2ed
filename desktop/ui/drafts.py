"""At start-up: the unfinished wizards (drafts) offered for resuming."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from desktop.state.wizard.wizard import Step
from desktop.ui.keys import button_shortcut


def describe(draft: dict[str, Any]) -> str:
    search = draft.get("search", {})
    patient = f"{search.get('last_name', '')} {search.get('first_name', '')}".strip() or "patient non saisi"
    step = Step(int(draft.get("step", 0)))
    return f"{patient} — étape {step + 1} « {step.title} »"


class DraftsDialog(QDialog):
    resume = Signal(str)  # draft id
    discard = Signal(str)

    def __init__(self, drafts: list[dict[str, Any]]) -> None:
        super().__init__()
        self.setObjectName("drafts")
        self.setWindowTitle("Déclenchements non terminés")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Des déclenchements n'ont pas été terminés. Voulez-vous les reprendre ?"))
        self.list = QListWidget()
        self.list.setObjectName("draft_list")
        for draft in drafts:
            item = QListWidgetItem(describe(draft))
            item.setData(Qt.ItemDataRole.UserRole, draft["draft_id"])
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        later = QPushButton("Plus tard")
        later.clicked.connect(self.reject)
        drop = QPushButton("Supprimer (Suppr)")
        button_shortcut(drop, "Delete")
        drop.clicked.connect(self._discard)
        take = QPushButton("Reprendre")
        take.setObjectName("resume")
        take.setDefault(True)
        take.clicked.connect(self._resume)
        buttons.addWidget(later)
        buttons.addStretch(1)
        buttons.addWidget(drop)
        buttons.addWidget(take)
        layout.addLayout(buttons)

    def _current(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _resume(self) -> None:
        draft_id = self._current()
        if draft_id:
            self.resume.emit(draft_id)
            self.accept()

    def _discard(self) -> None:
        draft_id = self._current()
        if draft_id:
            self.discard.emit(draft_id)
            self.list.takeItem(self.list.currentRow())
            if not self.list.count():
                self.accept()
