"""« Appels »: the calls to return, each with its « Rappeler » button, and the call log with the
cases created during each call; read again on the change feed's call events."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.state import call_list
from desktop.state.call_list import CallLine
from desktop.sync.errors import ApiProblem, RequestRefused
from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.tasks import on_loop, spawn
from shared.schemas.feed import FeedEvent
from telephony.api import PhoneError, Softphone

log = logging.getLogger(__name__)
REFRESH_DELAY_MS = 300
OTHER_MEANS_KEYS = "Ctrl+Entrée"  # as shown; the key sequence is Ctrl+Return


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill_row(table: QTableWidget, row: int, cells: tuple[str, ...], call_id: str) -> None:
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, call_id)
        table.setItem(row, column, item)


class CallsView(QWidget):
    """The tab. `callback_finished` carries the message shown after a « Rappeler »."""

    callback_finished = Signal(str)
    refreshed = Signal()

    def __init__(self, api: SupervisionApi, softphone: Softphone | None) -> None:
        super().__init__()
        self.setObjectName("calls_view")
        self.api = api
        self.softphone = softphone
        self.lines: dict[str, CallLine] = {}
        self.buttons: dict[str, QPushButton] = {}  # « Rappeler »
        self.other_means: dict[str, QPushButton] = {}  # « Rappelé par un autre moyen »
        column = QVBoxLayout(self)
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Appels manqués à rappeler</b>"))
        header.addStretch(1)
        self.refresh_button = QPushButton("Actualiser")
        self.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        header.addWidget(self.refresh_button)
        column.addLayout(header)
        self.missed = _table(call_list.MISSED_COLUMNS, "missed_calls")
        self.missed.horizontalHeader().setStretchLastSection(False)
        self.missed.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.missed.setToolTip(
            f"Entrée : rappeler l'appel choisi — {OTHER_MEANS_KEYS} : « {call_list.OTHER_MEANS_NOTE} »"
        )
        column.addWidget(self.missed, 1)
        callback_key = QShortcut(QKeySequence(Qt.Key.Key_Return), self.missed)
        callback_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        callback_key.activated.connect(self._call_back_selected)
        other_key = QShortcut(QKeySequence("Ctrl+Return"), self.missed)
        other_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        other_key.activated.connect(self._other_means_selected)
        self.message = QLabel("")
        self.message.setObjectName("calls_message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setStyleSheet("font-size: 14pt; font-weight: bold")
        column.addWidget(self.message)
        column.addWidget(QLabel("<b>Journal des appels</b> (avec les fiches créées pendant l'appel)"))
        self.log = _table(call_list.LOG_COLUMNS, "call_log")
        column.addWidget(self.log, 2)
        self.status = QLabel("")
        self.status.setObjectName("calls_status")
        column.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(on_loop(self.refresh))

    # ---- reading ----------------------------------------------------------------------------------
    async def refresh(self) -> None:
        try:
            to_call_back = await self.api.calls_to_call_back()
            logged = await self.api.call_log()
        except ApiProblem as problem:
            self.status.setText(f"Appels non actualisés : {problem}")
            return
        self._show_missed([CallLine.of(r) for r in to_call_back])
        self._show_log([CallLine.of(r) for r in logged])
        self.status.setText(
            f"{len(to_call_back)} appel{'s' if len(to_call_back) != 1 else ''} à rappeler — "
            f"{len(logged)} appel{'s' if len(logged) != 1 else ''} au journal"
        )
        self.refreshed.emit()

    def on_event(self, event: FeedEvent) -> None:
        if call_list.refreshes(event):
            self._timer.start()  # one read for a burst of events

    def _show_missed(self, lines: list[CallLine]) -> None:
        self.missed.setRowCount(0)
        self.buttons.clear()
        self.other_means.clear()
        self.missed.setRowCount(len(lines))
        for row, line in enumerate(lines):
            self.lines[line.call_id] = line
            _fill_row(self.missed, row, call_list.missed_cells(line), line.call_id)
            button = QPushButton("Rappeler")
            button.setObjectName(f"callback_{line.call_id}")
            button.setToolTip(f"Rappeler le {line.number} depuis le poste (Entrée)")
            button.clicked.connect(lambda _checked=False, call=line: spawn(self.call_back(call)))
            self.missed.setCellWidget(row, len(call_list.MISSED_COLUMNS) - 2, button)
            self.buttons[line.call_id] = button
            other = QPushButton(call_list.OTHER_MEANS_NOTE)
            other.setObjectName(f"other_means_{line.call_id}")
            other.setToolTip(f"Vous avez joint l'appelant autrement ({OTHER_MEANS_KEYS})")
            other.clicked.connect(lambda _checked=False, call=line: spawn(self.called_by_other_means(call)))
            self.missed.setCellWidget(row, len(call_list.MISSED_COLUMNS) - 1, other)
            self.other_means[line.call_id] = other

    def _show_log(self, lines: list[CallLine]) -> None:
        self.log.setRowCount(len(lines))
        for row, line in enumerate(lines):
            _fill_row(self.log, row, call_list.log_cells(line), line.call_id)

    # ---- « Rappeler » -----------------------------------------------------------------------------
    def _call_back_selected(self) -> None:
        line = self._selected()
        if line is not None:
            spawn(self.call_back(line))

    def _other_means_selected(self) -> None:
        line = self._selected()
        if line is not None:
            spawn(self.called_by_other_means(line))

    def _selected(self) -> CallLine | None:
        row = self.missed.currentRow()
        item = self.missed.item(row, 0) if row >= 0 else None
        return self.lines.get(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _enable(self, line: CallLine, enabled: bool) -> None:
        for buttons in (self.buttons, self.other_means):
            button = buttons.get(line.call_id)
            if button is not None:
                button.setEnabled(enabled)

    async def call_back(self, line: CallLine) -> None:
        """Dial through the softphone; once the call is placed, take the callback on the server
        (first come, first served). A number only shown, or a softphone that refused, takes
        nothing: the call stays in the list until it is placed or « Rappelé par un autre moyen »."""
        plan = call_list.plan_callback(line, has_softphone=self.softphone is not None)
        if not plan.dial or self.softphone is None:
            self._finish(plan.message, read_again=False)
            return
        self._enable(line, False)
        try:  # taken by someone else since the list was read: do not call the person twice
            still = {record.id for record in await self.api.calls_to_call_back()}
        except ApiProblem:
            still = {line.call_id}  # the server unreachable: calling back matters more
        if line.call_id not in still:
            self._finish(call_list.callback_refused("cet appel n'est plus à rappeler"))
            return
        try:
            await self.softphone.call(plan.destination)
        except PhoneError as error:
            self._enable(line, True)
            self._finish(call_list.dial_failed(line, str(error)), read_again=False)
            return
        await self._take(line, call_list.PLACED_NOTE, plan.message, placed=True)

    async def called_by_other_means(self, line: CallLine) -> None:
        """« Rappelé par un autre moyen »: the operator says so; the callback is taken with that note."""
        self._enable(line, False)
        await self._take(line, call_list.OTHER_MEANS_NOTE, call_list.other_means_done(line), placed=False)

    async def _take(self, line: CallLine, note: str, message: str, *, placed: bool) -> None:
        try:
            await self.api.take_callback(line.call_id, note)
        except RequestRefused as refused:
            detail = refused.message
            self._finish(
                call_list.placed_but_taken(line, detail) if placed else call_list.callback_refused(detail)
            )
            return
        except ApiProblem as problem:
            self._enable(line, True)
            if placed:  # the call is up; the list says it is still to return until the server knows
                message = f"{message} (non noté sur le serveur : {problem})"
            else:
                message = call_list.callback_refused(str(problem))
            self._finish(message, read_again=False)
            return
        self._finish(message)

    def _finish(self, message: str, *, read_again: bool = True) -> None:
        self.message.setText(message)
        self.callback_finished.emit(message)
        if read_again:
            spawn(self.refresh())
