"""« Mes envois »: the outbox's items and what the operator does with them.

- a refused item (« Échec de l'envoi »: look-alike patient, a field the server refused) shows the
  server's French message; « Reprendre dans l'assistant » (Entrée) reopens it with every field
  (``desktop.services.case_sender.reopen``) — « Déclencher » then revises that same item;
  « Abandonner » (Suppr) deletes it after a confirmation;
- a sent item offers « Nouveau déclenchement pour ce patient » (Entrée): another case for the same
  patient in one step.
The same actions are in the list's context menu.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.state.wizard.wizard import Wizard
from desktop.store.outbox import Outbox, OutboxItem, OutboxState
from desktop.store.retention import summary_of
from desktop.sync.errors import ApiProblem
from desktop.ui.tasks import spawn
from desktop.ui.wizard.form import ERROR_STYLE

log = logging.getLogger(__name__)
SHOWN = 50
REOPEN = "Reprendre dans l'assistant"
DISCARD = "Abandonner"
SAME_PATIENT = "Nouveau déclenchement pour ce patient"
NO_WIZARD = "Cet envoi ne peut pas être rouvert (il a été mis en file par une version précédente)"
CONFIRM_DISCARD = (
    "Abandonner ce déclenchement ? Il ne sera pas envoyé et ne pourra pas être récupéré "
    "(un patient déjà créé par cet envoi reste enregistré)."
)


def item_line(item: OutboxItem) -> str:
    """« Échec de l'envoi — DURAND Lucie » (+ the case number once sent)."""
    number = (item.result or {}).get("number", "")
    who = item.summary or summary_of(item.patient_create, item.wizard) or f"patient n° {item.patient_id}"
    return f"{item.state.label} — {who} {number}".rstrip()


class OutboxView(QWidget):
    def __init__(
        self,
        outbox: Outbox,
        reopen: Callable[[OutboxItem], Awaitable[Wizard]],
        open_wizard: Callable[[Wizard], Any],
        case_for_patient: Callable[[int], Any],
    ) -> None:
        """``reopen``: a refused item's wizard (``case_sender.reopen`` on the session's client)."""
        super().__init__()
        self.outbox = outbox
        self.reopen_wizard = reopen
        self.open_wizard = open_wizard
        self.case_for_patient = case_for_patient
        self.confirm: QMessageBox | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("<b>Mes envois</b>"))
        self.list = QListWidget()
        self.list.setObjectName("outbox")
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.list.itemActivated.connect(lambda _item: self.activate())  # Entrée, double-click
        column.addWidget(self.list)
        self.detail = QLabel()
        self.detail.setObjectName("outbox_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.detail)
        buttons = QHBoxLayout()
        self.reopen_button = QPushButton(f"{REOPEN} (Entrée)")
        self.reopen_button.setObjectName("outbox_reopen")
        self.reopen_button.clicked.connect(self.reopen_current)
        self.discard_button = QPushButton(f"{DISCARD} (Suppr)")
        self.discard_button.setObjectName("outbox_discard")
        self.discard_button.clicked.connect(self.ask_discard)
        self.patient_button = QPushButton(f"{SAME_PATIENT} (Entrée)")
        self.patient_button.setObjectName("outbox_same_patient")
        self.patient_button.clicked.connect(self.same_patient_current)
        for button in (self.reopen_button, self.discard_button, self.patient_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.reopen_action = self._action(f"{REOPEN}", "", self.reopen_current)
        self.discard_action = self._action(f"{DISCARD}…", "Delete", self.ask_discard)
        self.patient_action = self._action(SAME_PATIENT, "", self.same_patient_current)
        self.refresh()

    def _action(self, text: str, keys: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.list)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # only in the list
        action.triggered.connect(slot)
        self.list.addAction(action)
        return action

    # ---- content --------------------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.current()
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for item in reversed(self.outbox.items()[-SHOWN:]):  # the newest first
                row = QListWidgetItem(item_line(item))
                row.setData(Qt.ItemDataRole.UserRole, item.id)
                if item.state is OutboxState.FAILED:
                    row.setForeground(Qt.GlobalColor.darkRed)
                self.list.addItem(row)
                if current is not None and item.id == current.id:
                    self.list.setCurrentItem(row)
        finally:
            self.list.blockSignals(False)
        self._show_current()

    def current(self) -> OutboxItem | None:
        row = self.list.currentItem()
        if row is None:
            return None
        return self.outbox.find(int(row.data(Qt.ItemDataRole.UserRole)))  # None: discarded meanwhile

    def select(self, item_id: int) -> None:
        for index in range(self.list.count()):
            if self.list.item(index).data(Qt.ItemDataRole.UserRole) == item_id:
                self.list.setCurrentRow(index)
                return

    def _show_current(self) -> None:
        item = self.current()
        failed = item is not None and item.state is OutboxState.FAILED
        sent = item is not None and item.state is OutboxState.SENT and item.patient_id is not None
        for widget in (self.reopen_button, self.reopen_action):
            widget.setEnabled(failed and item is not None and item.wizard is not None)
        self.discard_button.setEnabled(failed)
        self.discard_action.setEnabled(failed)
        self.patient_button.setEnabled(sent)
        self.patient_action.setEnabled(sent)
        self.reopen_button.setVisible(failed)
        self.discard_button.setVisible(failed)
        self.patient_button.setVisible(sent)
        if item is None:
            self.detail.setText("")
        elif failed:
            reason = item.reason or OutboxState.FAILED.label
            extra = "" if item.wizard is not None else f"\n{NO_WIZARD}"
            self.detail.setText(f"Refusé par le serveur : {reason}{extra}")
            self.detail.setStyleSheet(ERROR_STYLE)
        else:  # a pending item says why it waits (« Pas de connexion serveur… »)
            waiting = item.state is OutboxState.PENDING and item.reason is not None
            self.detail.setText(item.reason if waiting and item.reason else "")
            self.detail.setStyleSheet("")

    # ---- actions --------------------------------------------------------------------------------
    def activate(self) -> None:
        """Entrée on an item: reopen a refused one, or a new case for a sent one's patient."""
        item = self.current()
        if item is None:
            return
        if item.state is OutboxState.FAILED:
            self.reopen_current()
        elif item.state is OutboxState.SENT:
            self.same_patient_current()

    def same_patient_current(self) -> None:
        item = self.current()
        if item is not None and item.state is OutboxState.SENT and item.patient_id is not None:
            self.case_for_patient(item.patient_id)

    def reopen_current(self) -> None:
        item = self.current()
        if item is not None:
            self.reopen_item(item.id)

    def reopen_item(self, item_id: int) -> None:
        """« Reprendre dans l'assistant » for a refused item (from the list or the outcome dialog)."""
        item = self.outbox.find(item_id)
        if item is not None and item.state is OutboxState.FAILED and item.wizard is not None:
            self.select(item_id)
            spawn(self.reopen(item))

    async def reopen(self, item: OutboxItem) -> Any:
        try:
            wizard = await self.reopen_wizard(item)
        except ApiProblem as problem:
            self.detail.setText(f"Impossible de rouvrir cet envoi : {problem}")
            return None
        return self.open_wizard(wizard)

    def ask_discard(self) -> None:
        item = self.current()
        if item is None or item.state is not OutboxState.FAILED or self.confirm is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Abandonner l'envoi", CONFIRM_DISCARD, parent=self)
        box.setObjectName("confirm_discard")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText("Abandonner")
        box.button(QMessageBox.StandardButton.No).setText("Garder")
        box.setDefaultButton(QMessageBox.StandardButton.No)  # Entrée keeps it: discarding is explicit
        box.finished.connect(lambda _result, item_id=item.id: self._discard_answered(item_id))
        self.confirm = box
        box.open()

    def _discard_answered(self, item_id: int) -> None:
        box, self.confirm = self.confirm, None
        if box is None:
            return
        confirmed = box.clickedButton() == box.button(QMessageBox.StandardButton.Yes)
        box.deleteLater()
        if not confirmed:
            return
        try:
            self.outbox.discard(item_id)
        except ValueError:  # sent meanwhile (the server accepted it after all): kept
            log.info("outbox item %s not discarded: no longer refused", item_id)
        self.refresh()
