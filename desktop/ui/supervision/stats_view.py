"""« Statistiques » (supervisors): the period, the charts of `GET /stats`, the CSV export of the
server's own file, the incidents of their networks, and the hotline's figures of the same period
(`hotline_stats.py`, with its own CSV export)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.state import statistics
from desktop.state.statistics import ChartData, Period, PeriodChoice
from desktop.state.times import date_time
from desktop.sync.errors import ApiProblem
from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.keys import button_shortcut
from desktop.ui.supervision.charts import bar_chart, chart_view, pie_chart, replace_chart
from desktop.ui.supervision.csv_export import CsvExport
from desktop.ui.supervision.hotline_stats import HotlineStatsSection
from desktop.ui.tasks import on_loop, spawn
from shared.schemas.exchanges import IncidentOut
from shared.schemas.feed import CallRecorded, FeedEvent, IncidentReported, PrescriptionChange

log = logging.getLogger(__name__)
INCIDENT_COLUMNS = ("Date", "Signalé par", "Réseaux", "Incident")
LIVE_DELAY_MS = 2000  # the charts read again at most every 2 s while requests move
LIVE_EVENTS = (PrescriptionChange, CallRecorded)  # what moves the figures


class StatisticsView(QWidget):
    refreshed = Signal()
    exported = Signal(str)  # the path written
    export_dialog_opened = Signal(object)  # the QFileDialog (tests)

    def __init__(self, api: SupervisionApi, hotline: HotlineStatsSection | None = None) -> None:
        super().__init__()
        self.setObjectName("statistics_view")
        self.api = api
        self.period: Period | None = None
        self.data: ChartData | None = None
        self.network_names: dict[int, str] = {}
        self._reads = 0  # a read answered after a later one started is dropped
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Période :"))
        self.period_choice = QComboBox()
        self.period_choice.setObjectName("stats_period")
        for choice in PeriodChoice:
            self.period_choice.addItem(choice.label, choice.value)
        self.period_choice.setCurrentIndex(list(PeriodChoice).index(statistics.DEFAULT_PERIOD))
        self.period_choice.currentIndexChanged.connect(lambda _i: spawn(self.refresh()))
        bar.addWidget(self.period_choice)
        self.refresh_button = QPushButton("Actualiser")
        self.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        self.export_button = QPushButton("Exporter en CSV… (Alt+X)")
        self.export_button.setObjectName("stats_export")
        self.export_button.clicked.connect(self.ask_export)
        button_shortcut(self.export_button, "Alt+X")
        bar.addWidget(self.export_button)
        outer.addLayout(bar)
        self.summary = QLabel("Chargement…")
        self.summary.setObjectName("stats_summary")
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        content = QWidget()
        grid = QGridLayout(content)
        self.calls_chart = chart_view("chart_calls")
        self.states_chart = chart_view("chart_states")
        self.professions_chart = chart_view("chart_professions")
        self.delays_chart = chart_view("chart_delays")
        self.acceptance_chart = chart_view("chart_acceptance")
        grid.addWidget(self.calls_chart, 0, 0, 1, 2)
        grid.addWidget(self.states_chart, 1, 0)
        grid.addWidget(self.acceptance_chart, 1, 1)
        grid.addWidget(self.professions_chart, 2, 0)
        grid.addWidget(self.delays_chart, 2, 1)
        grid.addWidget(QLabel("<b>Incidents de mes réseaux</b>"), 3, 0, 1, 2)
        self.incidents = QTableWidget(0, len(INCIDENT_COLUMNS))
        self.incidents.setObjectName("incidents")
        self.incidents.setHorizontalHeaderLabels(list(INCIDENT_COLUMNS))
        self.incidents.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.incidents.verticalHeader().setVisible(False)
        self.incidents.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.incidents.horizontalHeader().setStretchLastSection(True)
        self.incidents.setMinimumHeight(150)
        grid.addWidget(self.incidents, 4, 0, 1, 2)
        self.hotline = hotline
        if hotline is not None:
            grid.addWidget(hotline, 5, 0, 1, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)
        self.status = QLabel("")
        self.csv = CsvExport(self, self.status, self.export_dialog_opened, self.exported)
        self.status.setObjectName("stats_status")
        outer.addWidget(self.status)
        self._live = QTimer(self)
        self._live.setSingleShot(True)
        self._live.setInterval(LIVE_DELAY_MS)
        self._live.timeout.connect(on_loop(self.refresh))

    def chosen(self) -> PeriodChoice:
        return PeriodChoice(self.period_choice.currentData())

    # ---- reading ----------------------------------------------------------------------------------
    async def refresh(self) -> None:
        self._reads += 1
        read = self._reads
        period = statistics.period_for(self.chosen(), datetime.now(UTC))
        try:
            figures = await self.api.statistics(period)
            incidents = await self.api.incidents()
            self.network_names = self.network_names or await self.api.network_names()
        except ApiProblem as problem:
            if read == self._reads:
                self.status.setText(f"Statistiques non actualisées : {problem}")
            return
        if read != self._reads:
            return  # another period was chosen meanwhile: its own read shows it
        self.period = period
        self.show_data(statistics.chart_data(figures, period))
        self.show_incidents(incidents)
        self.status.setText("")
        if self.hotline is not None:
            await self.hotline.refresh(period)
        self.refreshed.emit()

    def on_event(self, event: FeedEvent) -> None:
        """Live while shown: the figures after a burst of request or call events, the incidents
        at once."""
        if isinstance(event.payload, IncidentReported):
            spawn(self._refresh_incidents())
        elif self.isVisible() and not self._live.isActive() and isinstance(event.payload, LIVE_EVENTS):
            self._live.start()

    async def _refresh_incidents(self) -> None:
        try:
            self.show_incidents(await self.api.incidents())
        except ApiProblem as problem:
            self.status.setText(f"Incidents non actualisés : {problem}")

    def show_data(self, data: ChartData) -> None:
        self.data = data
        self.summary.setText(statistics.summary_line(data))
        replace_chart(
            self.calls_chart,
            bar_chart(
                data.hours_title,
                [b.label for b in data.hours],
                [
                    ("Entrants", [b.incoming for b in data.hours]),
                    ("dont manqués", [b.missed for b in data.hours]),
                    ("Sortants", [b.outgoing for b in data.hours]),
                ],
            ),
        )
        replace_chart(
            self.states_chart,
            bar_chart(
                "Déclenchements par état",
                [label for label, _n in data.states],
                [("Déclenchements", [n for _l, n in data.states])],
            ),
        )
        replace_chart(
            self.professions_chart,
            bar_chart(
                "Déclenchements par profession",
                [label for label, _n in data.professions] or ["—"],
                [("Déclenchements", [n for _l, n in data.professions] or [0])],
                horizontal=True,
            ),
        )
        replace_chart(
            self.delays_chart,
            bar_chart(
                f"Délai avant acceptation, en minutes (médiane {data.median_text})",
                [label for label, _n in data.delays],
                [("Acceptations", [n for _l, n in data.delays])],
            ),
        )
        replace_chart(
            self.acceptance_chart,
            pie_chart(
                f"Taux d'acceptation {data.rate_text} — part expirée {data.expired_share_text}",
                statistics.outcome_slices(data),
            ),
        )

    def show_incidents(self, incidents: list[IncidentOut]) -> None:
        self.incidents.setRowCount(len(incidents))
        for row, incident in enumerate(incidents):
            cells = (
                date_time(incident.at),
                incident.author.name,
                ", ".join(self.network_names.get(n, str(n)) for n in incident.network_ids) or "—",
                incident.text,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, incident.id)
                self.incidents.setItem(row, column, item)

    def incident_ids(self) -> list[int]:
        found = []
        for row in range(self.incidents.rowCount()):
            item = self.incidents.item(row, 0)
            if item is not None:
                found.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return found

    # ---- CSV export -------------------------------------------------------------------------------
    def ask_export(self) -> QFileDialog:
        """The save dialog; the server's CSV of the period shown is written to the file chosen."""
        period = self.period or statistics.period_for(self.chosen(), datetime.now(UTC))

        async def fetch() -> bytes:
            return statistics.csv_in_zone(await self.api.prescriptions_csv(period), period.tz)

        return self.csv.ask("Exporter les déclenchements en CSV", period.csv_name(), fetch)
