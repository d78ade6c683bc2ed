"""What the back office's views share: a read-only table of rows, a status line that says what
happened (or the server's French refusal), and a button with its shortcut shown on it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.ui.keys import button_shortcut


def make_table(columns: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table: the keyboard reaches the buttons
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]], *, append: bool = False) -> None:
    start = table.rowCount() if append else 0
    table.setRowCount(start + len(rows))
    for offset, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(start + offset, column, QTableWidgetItem(text))
    if rows and table.currentRow() < 0:
        table.selectRow(0)


def button(text: str, keys: str, name: str) -> QPushButton:
    """« Texte (Alt+X) »: the shortcut written on the button, as everywhere in the desktop."""
    pushed = QPushButton(f"{text} ({keys})")
    pushed.setObjectName(name)
    button_shortcut(pushed, keys)
    return pushed


def status_line(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


class BackOfficePage(QWidget):
    """A view of the back office: read again by ``refresh`` (at install, and after each change)."""

    async def refresh(self) -> None:
        raise NotImplementedError

    async def refresh_then_say(self, status: QLabel, done: str) -> None:
        """After a dialog's change: the list read again, then what was done (the list's own count
        would otherwise replace the confirmation before anyone read it)."""
        await self.refresh()
        status.setText(done)
