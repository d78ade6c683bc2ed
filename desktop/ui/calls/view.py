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
        self.buttons: dict[str, QPushButton] = {}
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
        self.missed.setToolTip("Entrée : rappeler l'appel choisi")
        column.addWidget(self.missed, 1)
        callback_key = QShortcut(QKeySequence(Qt.Key.Key_Return), self.missed)
        callback_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        callback_key.activated.connect(self._call_back_selected)
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
        self.missed.setRowCount(len(lines))
        for row, line in enumerate(lines):
            self.lines[line.call_id] = line
            _fill_row(self.missed, row, call_list.missed_cells(line), line.call_id)
            button = QPushButton("Rappeler")
            button.setObjectName(f"callback_{line.call_id}")
            button.setToolTip(f"Rappeler le {line.number}")
            button.clicked.connect(lambda _checked=False, call=line: spawn(self.call_back(call)))
            self.missed.setCellWidget(row, len(call_list.MISSED_COLUMNS) - 1, button)
            self.buttons[line.call_id] = button

    def _show_log(self, lines: list[CallLine]) -> None:
        self.log.setRowCount(len(lines))
        for row, line in enumerate(lines):
            _fill_row(self.log, row, call_list.log_cells(line), line.call_id)

    # ---- « Rappeler » -----------------------------------------------------------------------------
    def _call_back_selected(self) -> None:
        row = self.missed.currentRow()
        item = self.missed.item(row, 0) if row >= 0 else None
        line = self.lines.get(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        if line is not None:
            spawn(self.call_back(line))

    async def call_back(self, line: CallLine) -> None:
        """Take the callback on the server (first come, first served), then dial or show the number."""
        button = self.buttons.get(line.call_id)
        if button is not None:
            button.setEnabled(False)
        try:
            await self.api.take_callback(line.call_id)
        except RequestRefused as refused:
            self._finish(call_list.callback_refused(refused.message))
            return
        except ApiProblem as problem:
            if button is not None:
                button.setEnabled(True)
            self._finish(call_list.callback_refused(str(problem)))
            return
        plan = call_list.plan_callback(line, has_softphone=self.softphone is not None)
        message = plan.message
        if plan.dial and self.softphone is not None:
            try:
                await self.softphone.call(plan.destination)
            except PhoneError as error:
                message = f"{error} — composez le {line.number}"
        self._finish(message)

    def _finish(self, message: str) -> None:
        self.message.setText(message)
        self.callback_finished.emit(message)
        spawn(self.refresh())
