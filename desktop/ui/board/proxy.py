"""One section of the board (« Mes fiches » or « Fiches supervisées ») with the operator's filters
and sorting, over the shared `BoardModel`."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from desktop.state.board import BoardFilter, Section
from desktop.ui.board.model import SORT_ROLE, BoardModel, Column, sort_key


class BoardProxy(QSortFilterProxyModel):
    def __init__(self, model: BoardModel, section: Section) -> None:
        super().__init__()
        self.board = model
        self.section = section
        self.filter = BoardFilter()
        self._now = model.state.clock.now()
        self.setSourceModel(model)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self.sort(Column.TIMESTAMPS, Qt.SortOrder.DescendingOrder)

    def set_filter(self, board_filter: BoardFilter) -> None:
        self.beginFilterChange()
        self.filter = board_filter
        self._now = self.board.state.clock.now()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        row = self.board.state.rows[source_row]
        return row.section is self.section and self.filter.accepts(row, self._now)

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        rows = self.board.state.rows
        first, second = rows[left.row()], rows[right.row()]
        column = Column(left.column())
        now = self.board.state.clock.now()
        a, b = sort_key(first, column, now), sort_key(second, column, now)
        if a == b:  # among equals, by time sent
            return first.sent_at < second.sent_at
        return bool(a < b)
