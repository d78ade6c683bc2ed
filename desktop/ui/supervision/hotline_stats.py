"""The hotline's figures in « Statistiques » (issue 19): `GET /stats/hotline` over the period the tab
shows — the period's figures (the service level coloured against its target), per hour, per
operator (pause time by reason), the qualifications — and its CSV export (the server's file)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.state import hotline_figures
from desktop.state.hotline_figures import LEVEL_COLOURS, Level
from desktop.state.statistics import Period
from desktop.sync.errors import ApiProblem
from desktop.sync.hotline_api import HotlineApi
from desktop.ui.keys import button_shortcut
from desktop.ui.supervision.csv_export import CsvExport
from shared.schemas.hotline import HotlineSettings, HotlineStatsOut


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setMinimumHeight(140)
    return table


def _fill(table: QTableWidget, headers: list[str], rows: list[list[str]]) -> None:
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


class HotlineStatsSection(QWidget):
    refreshed = Signal()
    exported = Signal(str)
    export_dialog_opened = Signal(object)

    def __init__(self, api: HotlineApi) -> None:
        super().__init__()
        self.setObjectName("hotline_stats")
        self.api = api
        self.settings: HotlineSettings | None = None
        self.stats: HotlineStatsOut | None = None
        self.period: Period | None = None
        column = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("<b>Standard téléphonique</b>"))
        bar.addStretch(1)
        self.export_button = QPushButton("Exporter le standard en CSV… (Alt+T)")
        self.export_button.setObjectName("hotline_export")
        self.export_button.clicked.connect(self.ask_export)
        button_shortcut(self.export_button, "Alt+T")
        bar.addWidget(self.export_button)
        column.addLayout(bar)
        self.figures = QGridLayout()
        column.addLayout(self.figures)
        self.values: dict[str, QLabel] = {}
        self.hours = _table("hotline_hours", list(hotline_figures.HOUR_COLUMNS))
        self.operators = _table("hotline_operators", ["Opérateur"])
        self.qualifications = _table("hotline_qualifications", ["Qualification", "Appels"])
        grid = QGridLayout()
        grid.addWidget(QLabel("Par heure (heure de Paris)"), 0, 0)
        grid.addWidget(QLabel("Qualifications des appels"), 0, 1)
        grid.addWidget(self.hours, 1, 0)
        grid.addWidget(self.qualifications, 1, 1)
        grid.addWidget(QLabel("Par opérateur (temps de pause par motif)"), 2, 0, 1, 2)
        grid.addWidget(self.operators, 3, 0, 1, 2)
        column.addLayout(grid)
        self.status = QLabel("")
        self.csv = CsvExport(self, self.status, self.export_dialog_opened, self.exported)
        self.status.setObjectName("hotline_stats_status")
        column.addWidget(self.status)

    async def refresh(self, period: Period) -> None:
        try:
            if self.settings is None:
                self.settings = await self.api.settings()
            stats = await self.api.statistics(period.since, period.until)
        except ApiProblem as problem:
            self.status.setText(f"Chiffres du standard non actualisés : {problem}")
            return
        self.period = period
        self.show_stats(stats, period)
        self.status.setText("")
        self.refreshed.emit()

    def show_stats(self, stats: HotlineStatsOut, period: Period) -> None:
        self.stats = stats
        for index, (label, value, level) in enumerate(hotline_figures.summary_lines(stats)):
            if label not in self.values:
                caption = QLabel(label)
                number = QLabel()
                number.setObjectName(f"hotline_figure_{index}")
                self.figures.addWidget(caption, index // 3, (index % 3) * 2)
                self.figures.addWidget(number, index // 3, (index % 3) * 2 + 1)
                self.values[label] = number
            colour = LEVEL_COLOURS[level] if level is not Level.NONE else ""
            style = f"background: {colour}; padding: 2px 6px;" if colour else ""
            self.values[label].setText(f"<b>{value}</b>")
            self.values[label].setStyleSheet(style)
        hours = hotline_figures.hour_rows(stats, period)
        _fill(self.hours, list(hotline_figures.HOUR_COLUMNS), [list(r) for r in hours])
        reasons = self.settings.pause_reasons if self.settings is not None else []
        headers, codes = hotline_figures.operator_columns(reasons, stats)
        _fill(self.operators, headers, hotline_figures.operator_rows(stats, codes))
        qualifications = self.settings.qualifications if self.settings is not None else []
        rows = hotline_figures.qualification_rows(stats, qualifications)
        _fill(self.qualifications, ["Qualification", "Appels"], [[label, str(n)] for label, n in rows])

    def figure(self, label_start: str) -> tuple[str, str]:
        """(text, style) of the figure whose label starts so (tests)."""
        for label, widget in self.values.items():
            if label.startswith(label_start):
                return widget.text(), widget.styleSheet()
        raise KeyError(label_start)

    # ---- CSV export -------------------------------------------------------------------------------
    def ask_export(self) -> QFileDialog | None:
        period = self.period
        if period is None:
            self.status.setText("Export impossible : les chiffres du standard ne sont pas encore lus")
            return None

        async def fetch() -> bytes:
            return await self.api.statistics_csv(period.since, period.until)

        name = hotline_figures.csv_name(period.since, period.until)
        return self.csv.ask("Exporter les chiffres du standard en CSV", name, fetch)
