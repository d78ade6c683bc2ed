"""The name search of « Nouveau message » and « Ajouter des participants »: at least 3 letters
(said until then), the results as boxes to tick (Espace), ↓ from the search to the results, the
people ticked named under them. Never a phone number: the API gives none."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.state.messaging_compose import (
    NOBODY_FOUND,
    Recipients,
    recipient_text,
    search_hint,
    search_query,
)
from desktop.sync.errors import ApiProblem
from desktop.sync.messaging_api import MessagingApi
from desktop.ui.prescription.widgets import MessageLine, alive, problem_text
from desktop.ui.tasks import on_loop
from shared.schemas.messaging import RecipientOut

SEARCH_DELAY_MS = 250


class RecipientPicker(QWidget):
    searched = Signal()  # results shown (tests)
    changed = Signal()  # someone ticked or unticked

    def __init__(
        self,
        api: MessagingApi,
        *,
        patient_id: int | None = None,
        thread_id: int | None = None,
        excluded: Callable[[], set[int]] = set,
    ) -> None:
        """``patient_id`` / ``thread_id``: only people who may see that patient are offered;
        ``excluded``: people not to offer (the user, those already in the thread)."""
        super().__init__()
        self.api = api
        self.patient_id = patient_id
        self.thread_id = thread_id
        self.excluded = excluded
        self.chosen = Recipients()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Destinataires (nom, au moins 3 lettres) :")
        self.search = QLineEdit()
        self.search.setObjectName("recipient_search")
        self.search.setPlaceholderText("Nom d'un professionnel, d'un opérateur ou d'un superviseur")
        self.search.setClearButtonEnabled(True)
        label.setBuddy(self.search)
        column.addWidget(label)
        column.addWidget(self.search)
        self.hint = QLabel(search_hint(""))
        self.hint.setObjectName("recipient_hint")
        column.addWidget(self.hint)
        self.results = QListWidget()
        self.results.setObjectName("recipient_results")
        self.results.setAccessibleName("Résultats : Espace coche ou décoche")
        self.results.itemChanged.connect(self._ticked)
        column.addWidget(self.results, 1)
        self.ticked = QLabel("Aucun destinataire coché")
        self.ticked.setObjectName("recipients_ticked")
        self.ticked.setWordWrap(True)
        column.addWidget(self.ticked)
        self.message = MessageLine("recipient_message")
        column.addWidget(self.message)
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(self._to_results)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(on_loop(self.run_search))
        self.search.textEdited.connect(self._typed)

    def preset(self, people: list[RecipientOut]) -> None:
        """People ticked before any search (the acceptor and requester of a request)."""
        for person in people:
            self.chosen.tick(person)
        self._show_ticked()

    def _typed(self, text: str) -> None:
        self.hint.setText(search_hint(text))
        self.hint.setVisible(bool(self.hint.text()))
        if search_query(text) is None:
            self._timer.stop()
            return
        self._timer.start()

    def _to_results(self) -> None:
        if self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(0)

    async def run_search(self) -> list[RecipientOut]:
        query = search_query(self.search.text())
        if query is None:
            return []
        try:
            found = await self.api.recipients(query, patient_id=self.patient_id, thread_id=self.thread_id)
        except ApiProblem as problem:
            if alive(self):
                self.message.error(problem_text(problem))
            return []
        if not alive(self) or search_query(self.search.text()) != query:
            return found  # typed on meanwhile: the next search shows its own
        self.message.clear_message()
        self._show_results([p for p in found if p.user_id not in self.excluded()])
        return found

    def _show_results(self, people: list[RecipientOut]) -> None:
        self.results.blockSignals(True)
        self.results.clear()
        for person in people:
            item = QListWidgetItem(recipient_text(person))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if self.chosen.is_ticked(person.user_id) else Qt.CheckState.Unchecked
            )
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.results.addItem(item)
        self.results.blockSignals(False)
        if not people:
            self.message.error(NOBODY_FOUND)
        self.searched.emit()

    def _ticked(self, item: QListWidgetItem) -> None:
        person = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(person, RecipientOut):
            return
        refusal = self.chosen.tick(person, item.checkState() == Qt.CheckState.Checked)
        if refusal:
            self.results.blockSignals(True)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.results.blockSignals(False)
            self.message.error(refusal)
        self._show_ticked()
        self.changed.emit()

    def tick(self, user_id: int) -> bool:
        """Ticks a shown result (as Espace on it does); False when it is not shown."""
        for row in range(self.results.count()):
            item = self.results.item(row)
            person = item.data(Qt.ItemDataRole.UserRole)
            if isinstance(person, RecipientOut) and person.user_id == user_id:
                item.setCheckState(Qt.CheckState.Checked)
                return True
        return False

    def _show_ticked(self) -> None:
        names = self.chosen.names()
        self.ticked.setText(f"Cochés : {names}" if names else "Aucun destinataire coché")
