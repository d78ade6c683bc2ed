"""« Opérateurs » (supervisors, Alt+7): the hotline's operators live — name, state, since when
(Paris time), pause reason, current caller — and its queue (calls waiting, longest wait, estimated
wait). `GET /agents` and `GET /hotline/queue`, read again after a burst of `AgentStateChanged` /
`HotlineQueueChanged` events of the change feed; the durations grow every second."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.state.hotline_board import COLUMNS, OperatorsBoard
from desktop.sync.errors import ApiProblem
from desktop.sync.hotline_api import HotlineApi
from desktop.ui.tasks import on_loop
from shared.schemas.feed import FeedEvent

READ_DELAY_MS = 300  # a burst of events → one read
QUEUE_COLUMNS = ("Arrivé à", "Appelant", "Attend depuis")
STATE_COLOURS = {
    "in_call": "#1565c0",
    "after_call": "#6a1b9a",
    "available": "#2e7d32",
    "pause": "#ef6c00",
    "offline": "#757575",
}


def _table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class OperatorsView(QWidget):
    refreshed = Signal()

    def __init__(self, api: HotlineApi) -> None:
        super().__init__()
        self.setObjectName("operators_view")
        self.api = api
        self.board = OperatorsBoard()
        self._reads = 0
        column = QVBoxLayout(self)
        self.queue_line = QLabel("File d'attente : lecture…")
        self.queue_line.setObjectName("queue_line")
        self.queue_line.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.queue_line.setWordWrap(True)
        column.addWidget(self.queue_line)
        self.counts = QLabel("")
        self.counts.setObjectName("operators_counts")
        column.addWidget(self.counts)
        self.operators = _table("operators", COLUMNS)
        column.addWidget(self.operators, 3)
        column.addWidget(QLabel("<b>Appelants en attente</b> (le plus ancien d'abord)"))
        self.waiting = _table("queue", QUEUE_COLUMNS)
        column.addWidget(self.waiting, 1)
        self.status = QLabel("")
        self.status.setObjectName("operators_status")
        column.addWidget(self.status)
        self._read_soon = QTimer(self)
        self._read_soon.setSingleShot(True)
        self._read_soon.setInterval(READ_DELAY_MS)
        self._read_soon.timeout.connect(on_loop(self.refresh))
        self._tick = QTimer(self)  # the durations grow
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.show_board)
        self._tick.start()

    async def refresh(self) -> None:
        self._reads += 1
        read = self._reads
        try:
            if not self.board.pause_reasons:
                self.board.pause_reasons = (await self.api.settings()).pause_reasons
            agents = await self.api.agents()
            queue = await self.api.queue()
        except ApiProblem as problem:
            if read == self._reads:
                self.status.setText(f"Opérateurs non actualisés : {problem}")
            return
        if read != self._reads:
            return
        self.board.load(agents)
        self.board.load_queue(queue, datetime.now(UTC))
        self.status.setText("")
        self.show_board()
        self.refreshed.emit()

    def on_event(self, event: FeedEvent) -> None:
        if self.board.apply(event):
            self.show_board()
            if not self._read_soon.isActive():
                self._read_soon.start()

    def show_board(self) -> None:
        now = datetime.now(UTC)
        rows = self.board.ordered()
        self.operators.setRowCount(len(rows))
        for index, row in enumerate(rows):
            for column, text in enumerate(row.cells(now)):
                item = self.operators.item(index, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.operators.setItem(index, column, item)
                item.setText(text)
                item.setData(Qt.ItemDataRole.UserRole, row.user_id)
            state = self.operators.item(index, 1)
            if state is not None:
                state.setForeground(Qt.GlobalColor.white)
                state.setBackground(QColor(STATE_COLOURS[row.state.value]))
        queue = self.board.queue_rows(now)
        self.waiting.setRowCount(len(queue))
        for index, cells in enumerate(queue):
            for column, text in enumerate(cells):
                self.waiting.setItem(index, column, QTableWidgetItem(text))
        self.queue_line.setText(self.board.queue_line(now))
        self.counts.setText(self.board.counts_line())

    def row_texts(self) -> list[list[str]]:
        """What the grid shows (tests)."""
        rows = []
        for r in range(self.operators.rowCount()):
            items = [self.operators.item(r, c) for c in range(self.operators.columnCount())]
            rows.append([item.text() if item is not None else "" for item in items])
        return rows
