"""The board's Qt item model over `BoardState`, updated incrementally: an event → `dataChanged` for
its row only; a new prescription → `beginInsertRows` at the end; a reset only for a full read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from desktop.state import reached_nobody
from desktop.state.board import BoardRow, BoardState, countdown_text, duration_text
from desktop.state.times import stamp
from shared.domain import PrescriptionState
from shared.schemas.feed import FeedEvent

ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
PENDING_ROLE = Qt.ItemDataRole.UserRole + 3
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 4
SAME_PATIENT_HINT = "Clic droit : « Déclenchement pour ce patient » (Ctrl+Maj+D)"
TIMELINE_LINES = 4

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NUMBER = 0
    STATE = 1
    COUNTDOWN = 2
    REQUESTER = 3
    PATIENT = 4
    REASON = 5
    RECIPIENT = 6
    TIMESTAMPS = 7

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    Column.NUMBER: "N° FICHE",
    Column.STATE: "ÉTAT",
    Column.COUNTDOWN: "DÉLAI RESTANT",
    Column.REQUESTER: "DEMANDEUR",
    Column.PATIENT: "PATIENT",
    Column.REASON: "MOTIF",
    Column.RECIPIENT: "DESTINATAIRE",
    Column.TIMESTAMPS: "HORODATAGE",
}
# State colours (background of the « ÉTAT » cell), light enough for black text.
STATE_COLOURS = {
    PrescriptionState.PENDING: "#ffe8a3",
    PrescriptionState.ACCEPTED: "#b9dcff",
    PrescriptionState.STARTED: "#c6ecd9",
    PrescriptionState.FINISHED: "#8fd19e",
    PrescriptionState.EXPIRED: "#f5b7b1",
    PrescriptionState.CANCELLED: "#d5d8dc",
}
_BRUSHES = {state: QBrush(QColor(colour)) for state, colour in STATE_COLOURS.items()}
_URGENT = QBrush(QColor("#b71c1c"))
NO_RECIPIENT_BRUSH = QBrush(QColor(reached_nobody.COLOUR))


def cell_text(row: BoardRow, column: Column, now: datetime) -> str:
    if column is Column.NUMBER:
        return f"#{row.case_number}"
    if column is Column.STATE:
        return row.state_lines()
    if column is Column.COUNTDOWN:
        return countdown_lines(row, now)
    if column is Column.REQUESTER:
        return "\n".join(x for x in (row.caller_service, row.requester_name, row.requester_profession) if x)
    if column is Column.PATIENT:
        born = f"{row.patient_age} ans - né(e) le {row.patient_birth}" if row.patient_birth else ""
        return "\n".join(x for x in (row.patient_name, born, row.patient_phone, row.patient_address) if x)
    if column is Column.REASON:
        when = f" [{row.intervention}]" if row.intervention else ""
        return (
            f"{row.comment}\n{row.care_mode_label}, {row.care_type}{when}\n"
            f"Délai de réponse : {duration_text(row.response_delay_minutes)}"
        )
    if column is Column.RECIPIENT:
        return f"{row.profession}\n{row.state_text()}\n{row.resources_text()}"
    lines = row.timeline()[:TIMELINE_LINES]
    return "\n".join(f"{stamp(at, row.zone)} {text}" for at, text in lines)


def countdown_lines(row: BoardRow, now: datetime) -> str:
    if row.no_recipient:
        return reached_nobody.BOARD_HINT  # no countdown: nobody will answer
    left = row.remaining(now)
    if left is None:
        return ""
    text = countdown_text(left)
    priority = row.priority_left(now)
    if priority is not None:
        text += f"\nPriorité aux habituels : {countdown_text(priority)}"
    return text


def sort_key(row: BoardRow, column: Column, now: datetime) -> Any:
    if column is Column.NUMBER:
        return int(row.case_number) if row.case_number.isdigit() else 0
    if column is Column.STATE:
        return row.state_text()
    if column is Column.COUNTDOWN:
        left = row.remaining(now)
        return left.total_seconds() if left is not None else float("inf")
    if column is Column.REQUESTER:
        return row.requester_name.casefold()
    if column is Column.PATIENT:
        return row.patient_name.casefold()
    if column is Column.REASON:
        return row.comment.casefold()
    if column is Column.RECIPIENT:
        return row.profession
    return row.sent_at.timestamp()


class BoardModel(QAbstractTableModel):
    fetch_needed = Signal(int, object)  # prescription id, the FeedEvent (a row to read)

    def __init__(self, state: BoardState | None = None) -> None:
        super().__init__()
        self.state = state or BoardState()

    # ---- Qt model ---------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.state.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return Column(section).title
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.state.rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, column, self.state.clock.now())
        if role == Qt.ItemDataRole.BackgroundRole and column is Column.STATE:
            return NO_RECIPIENT_BRUSH if row.no_recipient else _BRUSHES[row.state]
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.COUNTDOWN:
            left = row.remaining(self.state.clock.now())
            urgent = row.no_recipient or (left is not None and left.total_seconds() < 300)
            return _URGENT if urgent else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.TIMESTAMPS:
                lines = [f"{stamp(at, row.zone)} {text}" for at, text in row.timeline()]
                if row.patient_id is not None:
                    lines.append(SAME_PATIENT_HINT)
                return "\n".join(lines)
            return cell_text(row, column, self.state.clock.now())
        if role == SORT_ROLE:
            return sort_key(row, column, self.state.clock.now())
        if role == ROW_ID_ROLE:
            return row.id
        if role == PENDING_ROLE:
            return row.state is PrescriptionState.PENDING
        if role == PATIENT_ID_ROLE:
            return row.patient_id
        return None

    # ---- changes ----------------------------------------------------------------------------------
    def replace(self, rows: Iterable[BoardRow]) -> None:
        """A full read: the one reset."""
        self.beginResetModel()
        self.state.replace(rows)
        self.endResetModel()

    def merge(self, rows: Iterable[BoardRow]) -> None:
        """Rows read after an event: new ones inserted at the end, known ones signalled in place."""
        new: list[BoardRow] = []
        new_ids: set[int] = set()
        for row in rows:
            position = self.state.positions.get(row.id)
            if position is None:
                if row.id not in new_ids:  # a page shifted by a new case may repeat a row
                    new_ids.add(row.id)
                    new.append(row)
                continue
            self.state.upsert(row)
            self._changed(position)
        if new:
            first = len(self.state.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for row in new:
                self.state.upsert(row)
            self.endInsertRows()

    def apply(self, event: FeedEvent) -> int | None:
        """One change-feed event; returns the source row it changed (None: nothing here)."""
        applied = self.state.apply(event)
        if applied.position is not None:
            self._changed(applied.position)
        if applied.fetch is not None:
            self.fetch_needed.emit(applied.fetch, event)
        return applied.position

    def _changed(self, position: int) -> None:
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(Column) - 1))

    def source_row(self, prescription_id: int) -> int | None:
        return self.state.positions.get(prescription_id)
