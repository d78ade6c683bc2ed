"""« Professionnels » (Alt+6): a professional phones the hotline — find them, read their status and
open offers, accept or decline an offer for them, set their status; each act confirmed first and
recorded « par téléphone via la centrale ». Wording and rules: desktop/state/professionals.py.

Keys: the search field takes Entrée; ↓ goes to the results, Entrée on a result shows it; in the
offers, Ctrl+Entrée accepts for them and Suppr declines (each asks first); the buttons carry
their mnemonics (Alt+A, Alt+D, Alt+I).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.state import professionals as words
from desktop.state.professionals import PauseChoice, ProfessionalsState
from desktop.sync.errors import ApiProblem, RequestRefused, ServerUnavailable
from desktop.sync.professionals_api import ProfessionalsApi
from desktop.ui.tasks import on_loop, spawn
from shared.schemas.feed import FeedEvent
from shared.schemas.hotline_professionals import OpenOffer

log = logging.getLogger(__name__)
REFRESH_DELAY_MS = 300
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class ProfessionalsView(QWidget):
    """The tab. `acted` carries the message shown after an act (or its refusal)."""

    acted = Signal(str)
    refreshed = Signal()

    def __init__(self, api: ProfessionalsApi, clock: Clock = _now) -> None:
        super().__init__()
        self.setObjectName("professionals_view")
        self.api, self.clock = api, clock
        self.state = ProfessionalsState()
        self.confirm: QMessageBox | None = None  # the open question (tests answer it)
        self._pending: Callable[[], Coroutine[Any, Any, None]] | None = None
        column = QVBoxLayout(self)
        search_row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("professionals_search")
        self.search.setPlaceholderText("Nom, RPPS ou téléphone du professionnel (Entrée)")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(lambda: spawn(self.run_search()))
        label = QLabel("&Chercher :")
        label.setBuddy(self.search)
        search_row.addWidget(label)
        search_row.addWidget(self.search, 1)
        column.addLayout(search_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.results = QListWidget()
        self.results.setObjectName("professionals_results")
        self.results.itemActivated.connect(
            lambda item: spawn(self.show_professional(item.data(Qt.ItemDataRole.UserRole)))
        )
        splitter.addWidget(self.results)
        splitter.addWidget(self._details_pane())
        splitter.setStretchFactor(1, 2)
        column.addWidget(splitter, 1)
        self.message = QLabel("")
        self.message.setObjectName("professionals_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setStyleSheet("font-size: 13pt; font-weight: bold")
        column.addWidget(self.message)
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(self.results.setFocus)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(on_loop(self.refresh))
        self._ticker = QTimer(self)  # the time left of each offer, every 30 s
        self._ticker.setInterval(30_000)
        self._ticker.timeout.connect(self._show_offers)
        self._ticker.start()
        self._enable()

    def _details_pane(self) -> QWidget:
        pane = QWidget()
        layout = QVBoxLayout(pane)
        self.details = QLabel("Cherchez un professionnel, puis Entrée sur son nom.")
        self.details.setObjectName("professional_details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)
        layout.addWidget(QLabel("<b>Demandes en attente de sa réponse</b>"))
        self.offers = QListWidget()
        self.offers.setObjectName("professional_offers")
        self.offers.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.offers.currentRowChanged.connect(lambda _row: self._enable())
        layout.addWidget(self.offers, 2)
        answers = QHBoxLayout()
        self.accept_button = QPushButton("&" + words.ACCEPT_LABEL)
        self.accept_button.setObjectName("accept_for")
        self.accept_button.setToolTip("Ctrl+Entrée dans la liste des demandes")
        self.accept_button.clicked.connect(lambda: self.ask_answer(accept=True))
        self.decline_button = QPushButton("&" + words.DECLINE_LABEL)
        self.decline_button.setObjectName("decline_for")
        self.decline_button.setToolTip("Suppr dans la liste des demandes")
        self.decline_button.clicked.connect(lambda: self.ask_answer(accept=False))
        answers.addWidget(self.accept_button)
        answers.addWidget(self.decline_button)
        layout.addLayout(answers)
        for keys, accept in (("Ctrl+Return", True), ("Delete", False)):
            key = QShortcut(QKeySequence(keys), self.offers)
            key.setContext(Qt.ShortcutContext.WidgetShortcut)
            key.activated.connect(lambda accept=accept: self.ask_answer(accept=accept))
        layout.addWidget(QLabel("<b>Patients en soins</b>"))
        self.care = QListWidget()
        self.care.setObjectName("professional_care")
        layout.addWidget(self.care, 1)
        statuses = QHBoxLayout()
        # The end of a pause: a day and a time, the wall time of the professional's zone (Paris).
        self.pause_day = QComboBox()
        self.pause_day.setObjectName("pause_day")
        self.pause_time = QLineEdit()
        self.pause_time.setObjectName("pause_time")
        self.pause_time.setMaxLength(5)
        self.pause_time.setPlaceholderText("14:30")
        self.pause_time.setToolTip("Heure de fin (heure de Paris, ou du professionnel) ; Entrée pour valider")
        self.pause_time.returnPressed.connect(self.ask_pause)
        self.pause_button = QPushButton("&" + words.PAUSE_LABEL)
        self.pause_button.setObjectName("pause_for")
        self.pause_button.clicked.connect(self.ask_pause)
        statuses.addWidget(self.pause_button)
        statuses.addWidget(self.pause_day)
        statuses.addWidget(self.pause_time)
        self.status_buttons: dict[str, QPushButton] = {}
        for value, label in words.AVAILABLE_CHOICES:
            button = QPushButton(label)
            button.setObjectName(f"status_{value}")
            button.clicked.connect(lambda _checked=False, v=value, t=label: self.ask_status(v, t))
            statuses.addWidget(button)
            self.status_buttons[value] = button
        layout.addLayout(statuses)
        return pane

    # ---- reading ----------------------------------------------------------------------------------
    async def run_search(self) -> None:
        text = self.search.text()
        hint = words.search_hint(text)
        if hint:
            self.message.setText(hint)
            return
        try:
            found = await self.api.search(text)
        except ApiProblem as problem:
            self.message.setText(self._problem_text(problem))
            return
        self.state.results = found
        self.results.clear()
        for summary in found:
            item = QListWidgetItem(words.result_line(summary))
            item.setData(Qt.ItemDataRole.UserRole, summary.user_id)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
        self.message.setText(
            f"{len(found)} professionnel(s) trouvé(s)" if found else "Aucun professionnel trouvé"
        )

    async def show_professional(self, user_id: int) -> None:
        try:
            self.state.status = await self.api.status(user_id)
        except ApiProblem as problem:
            self.message.setText(self._problem_text(problem))
            return
        self._show()
        self.offers.setFocus()

    async def refresh(self) -> None:
        if self.state.chosen_id is None:
            return
        try:
            self.state.status = await self.api.status(self.state.chosen_id)
        except ApiProblem as problem:
            self.message.setText(f"Non actualisé : {self._problem_text(problem)}")
            return
        self._show()

    def on_event(self, event: FeedEvent) -> None:
        if self.state.refreshes(event):
            self._timer.start()  # one read for a burst of events

    def _show(self) -> None:
        status = self.state.status
        if status is None:
            return
        self.details.setText("\n".join(words.status_lines(status)))
        self._show_offers()
        self.care.clear()
        for line in words.care_lines(status) or ["Aucun patient en soins"]:
            self.care.addItem(line)
        zone, now = words.zone_of(status), self.clock()
        pause = words.default_pause(now, zone)
        self.pause_day.clear()
        for day, label in words.pause_days(now, zone):
            self.pause_day.addItem(label, day)
        self.pause_day.setCurrentIndex(max(0, self.pause_day.findData(pause.day)))
        self.pause_time.setText(words.clock(pause.at))
        self._enable()
        self.refreshed.emit()

    def _show_offers(self) -> None:
        status = self.state.status
        if status is None:
            return
        chosen = self.selected_offer()
        self.offers.clear()
        now, zone = self.clock(), words.zone_of(status)
        for offer in status.open_offers:
            item = QListWidgetItem(words.offer_line(offer, now, zone))
            item.setData(Qt.ItemDataRole.UserRole, offer.prescription_id)
            self.offers.addItem(item)
        if status.open_offers:
            ids = [o.prescription_id for o in status.open_offers]
            row = ids.index(chosen.prescription_id) if chosen and chosen.prescription_id in ids else 0
            self.offers.setCurrentRow(row)
        else:
            self.offers.addItem("Aucune demande en attente de sa réponse")
        self._enable()

    def selected_offer(self) -> OpenOffer | None:
        item = self.offers.currentItem()
        prescription_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return self.state.offer(prescription_id) if isinstance(prescription_id, int) else None

    def _enable(self) -> None:
        chosen = self.state.status is not None
        offer = self.selected_offer() is not None
        self.accept_button.setEnabled(offer)
        self.decline_button.setEnabled(offer)
        for widget in (self.pause_button, self.pause_day, self.pause_time):
            widget.setEnabled(chosen)
        for button in self.status_buttons.values():
            button.setEnabled(chosen)

    # ---- acts (each confirmed first) ---------------------------------------------------------------
    def _ask(self, title: str, text: str, yes: str, act: Callable[[], Coroutine[Any, Any, None]]) -> None:
        if self.confirm is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setObjectName("confirm_for_professional")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(yes)
        box.button(QMessageBox.StandardButton.No).setText("Annuler")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.finished.connect(lambda _result: self._answered())
        self.confirm, self._pending = box, act
        box.open()

    def _answered(self) -> None:
        box, self.confirm = self.confirm, None
        act, self._pending = self._pending, None
        if box is None or act is None:
            return
        confirmed = box.clickedButton() == box.button(QMessageBox.StandardButton.Yes)
        box.deleteLater()
        if confirmed:
            spawn(act())

    def ask_answer(self, *, accept: bool) -> None:
        offer, status = self.selected_offer(), self.state.status
        if offer is None or status is None:
            return
        who = status.professional.display_name
        title = "Accepter pour le professionnel" if accept else "Décliner pour le professionnel"
        yes = "Accepter" if accept else "Décliner"
        self._ask(
            title, words.confirm_answer(who, offer, accept=accept), yes, lambda: self.answer(offer, accept)
        )

    async def answer(self, offer: OpenOffer, accept: bool) -> None:
        status = self.state.status
        if status is None:
            return
        who = status.professional
        try:
            await self.api.answer_for(offer.prescription_id, who.user_id, accept=accept)
        except ApiProblem as problem:
            self._say(self._problem_text(problem))
        else:
            self._say(words.done_answer(who.display_name, offer, accept=accept))
        await self.refresh()

    def ask_pause(self) -> None:
        status = self.state.status
        if status is None:
            return
        choice = words.parse_pause(
            self.pause_day.currentData(), self.pause_time.text(), words.zone_of(status)
        )
        if isinstance(choice, str):
            self._say(choice)
            return
        problem = choice.problem(self.clock())
        if problem:
            self._say(problem)
            return
        who = status.professional.display_name
        self._ask(
            words.PAUSE_LABEL,
            words.confirm_status(who, choice.label()),
            "Confirmer",
            lambda: self._set_status("unavailable", choice),
        )

    def ask_status(self, value: str, label: str) -> None:
        status = self.state.status
        if status is None:
            return
        who = status.professional.display_name
        self._ask(
            "Statut du professionnel",
            words.confirm_status(who, label),
            "Confirmer",
            lambda: self._set_status(value, None),
        )

    async def _set_status(self, value: str, pause: PauseChoice | None) -> None:
        status = self.state.status
        if status is None:
            return
        who = status.professional
        try:
            self.state.status = await self.api.set_availability(
                who.user_id, value, pause.until() if pause else None
            )
        except ApiProblem as problem:
            self._say(self._problem_text(problem))
            return
        self._show()
        label = self.state.status.professional.availability_label
        self._say(f"Statut de {who.display_name} : {label} (par téléphone)")

    # ---- messages ---------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.acted.emit(text)

    @staticmethod
    def _problem_text(problem: ApiProblem) -> str:
        if isinstance(problem, ServerUnavailable):
            return words.UNREACHABLE
        if isinstance(problem, RequestRefused):
            return words.refusal_text(problem.code, str(problem))
        return str(problem)
