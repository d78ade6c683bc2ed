"""« Tableau de bord »: the filters, the sections « Mes fiches » / « Fiches supervisées », live from
the change feed (« Rafraîchissement auto »), and one countdown timer for the whole view."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from desktop.services.board_feed import BoardFeed, BoardReader
from desktop.state.board import DEFAULT_PERIOD_DAYS, PERIODS, BoardFilter, Section
from desktop.ui.board.model import PATIENT_ID_ROLE, PENDING_ROLE, ROW_ID_ROLE, BoardModel, Column
from desktop.ui.board.proxy import BoardProxy
from desktop.ui.tasks import spawn
from shared.domain import PROFESSIONS, PrescriptionState
from shared.schemas.feed import FeedEvent

TICK_MS = 1000
SAME_PATIENT = "Déclenchement pour ce patient"  # the tutorial's entry point B, from a row's « Horodatage »
SAME_PATIENT_KEYS = "Ctrl+Shift+D"
RETRY_MS = 5000  # a first read that failed is tried again
STATE_CHOICES = {
    PrescriptionState.PENDING: "En cours",
    PrescriptionState.ACCEPTED: "Accepté",
    PrescriptionState.STARTED: "Débuté",
    PrescriptionState.FINISHED: "Terminé",
    PrescriptionState.CANCELLED: "Annulé",
    PrescriptionState.EXPIRED: "Expiré (aucun intervenant)",
}
COLUMN_WIDTHS = {
    Column.NUMBER: 90,
    Column.STATE: 150,
    Column.COUNTDOWN: 250,
    Column.REQUESTER: 170,
    Column.PATIENT: 210,
    Column.REASON: 260,
    Column.RECIPIENT: 190,
}


class BoardTable(QTableView):
    row_opened = Signal(QModelIndex)  # double-click or Entrée on a row
    patient_case_requested = Signal(QModelIndex)  # « Déclenchement pour ce patient » on a row

    def __init__(self, proxy: BoardProxy) -> None:
        super().__init__()
        self.doubleClicked.connect(lambda index: self.row_opened.emit(index))
        self.setModel(proxy)
        self.setObjectName(f"board_table_{proxy.section.name.lower()}")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSortingEnabled(True)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSortIndicator(Column.TIMESTAMPS, Qt.SortOrder.DescendingOrder)
        self.horizontalHeader().setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            self.setColumnWidth(column, width)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring at 10,000 rows
        rows.setDefaultSectionSize(4 * self.fontMetrics().lineSpacing() + 8)
        rows.hide()
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)  # right-click on a row
        self.same_patient_action = QAction(SAME_PATIENT, self)
        self.same_patient_action.setObjectName("board_same_patient")
        self.same_patient_action.setShortcut(QKeySequence(SAME_PATIENT_KEYS))
        self.same_patient_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # in this table
        self.same_patient_action.triggered.connect(self._same_patient)
        self.addAction(self.same_patient_action)

    def _same_patient(self) -> None:
        if self.currentIndex().isValid():
            self.patient_case_requested.emit(self.currentIndex())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.row_opened.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class BoardView(QWidget):
    open_requested = Signal(int)  # prescription id (double-click or Entrée on a row)
    patient_case_requested = Signal(int)  # patient id: « Déclenchement pour ce patient » on a row
    refreshed = Signal()  # after each full read

    def __init__(self, reader: BoardReader, *, tick_ms: int = TICK_MS) -> None:
        super().__init__()
        self.setObjectName("board")
        self.reader = reader
        self.model = BoardModel()
        # what was read and what is still to read: Qt-free (desktop/services/board_feed.py)
        self.feed = BoardFeed(
            reader, self.model, start=spawn, alive=lambda: Shiboken.isValid(self), on_fetched=self._show_count
        )
        self.model.fetch_needed.connect(self.feed.queue_fetch)

        self.number = QLineEdit()
        self.number.setObjectName("board_number")
        self.number.setPlaceholderText("#Numéro de fiche")
        self.keyword = QLineEdit()
        self.keyword.setObjectName("board_keyword")
        self.keyword.setPlaceholderText("Mot-clé")
        self.period = QComboBox()
        self.period.setObjectName("board_period")
        for days, label in PERIODS.items():
            self.period.addItem(label, days)
        self.period.setCurrentIndex(list(PERIODS).index(DEFAULT_PERIOD_DAYS))
        self.state = QComboBox()
        self.state.setObjectName("board_state")
        self.state.addItem("Tous les états", None)
        for state, label in STATE_CHOICES.items():
            self.state.addItem(label, state.value)
        self.profession = QComboBox()
        self.profession.setObjectName("board_profession")
        self.profession.addItem("Toutes les professions", None)
        for code, label in sorted(PROFESSIONS.items(), key=lambda item: item[1]):
            self.profession.addItem(label, code)
        self.auto = QCheckBox("Rafraîchissement auto")
        self.auto.setObjectName("board_auto")
        self.auto.setChecked(True)
        self.refresh_button = QPushButton("Actualiser (F5)")
        self.refresh_button.setObjectName("board_refresh")
        self.status = QLabel("Chargement…")
        self.status.setObjectName("board_status")
        bar = QHBoxLayout()
        for widget in (self.number, self.keyword, self.period, self.state, self.profession):
            bar.addWidget(widget)
        bar.addWidget(self.auto)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)

        self.proxies: dict[Section, BoardProxy] = {}
        self.tables: dict[Section, BoardTable] = {}
        splitter = QSplitter(Qt.Orientation.Vertical)
        for _scope, section in reader.sections:
            proxy = BoardProxy(self.model, section)
            table = BoardTable(proxy)
            table.row_opened.connect(self._activated)
            table.patient_case_requested.connect(self._patient_case)
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(QLabel(f"<b>{section.label} :</b>"))
            column.addWidget(table)
            splitter.addWidget(box)
            self.proxies[section] = proxy
            self.tables[section] = table
        layout.addWidget(splitter, 1)
        if splitter.count() == 2:
            splitter.setSizes([600, 300])  # « Mes fiches » larger

        self.number.textChanged.connect(self._filters_changed)
        self.keyword.textChanged.connect(self._filters_changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.state.currentIndexChanged.connect(self._filters_changed)
        self.profession.currentIndexChanged.connect(self._filters_changed)
        self.auto.toggled.connect(self._auto_toggled)
        self.refresh_button.clicked.connect(self.reload)
        refresh_key = QShortcut(QKeySequence("F5"), self)
        refresh_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh_key.activated.connect(self.reload)

        self.timer = QTimer(self)  # the one countdown timer of the view
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    @property
    def loaded_days(self) -> int:
        """The days of the last full read (0: never read yet)."""
        return self.feed.loaded_days

    @property
    def loading(self) -> bool:
        return self.feed.loading

    @property
    def missed(self) -> int:
        """Changes not shown while « Rafraîchissement auto » is off."""
        return self.feed.missed

    # ---- filters ----------------------------------------------------------------------------------
    def current_filter(self) -> BoardFilter:
        state = self.state.currentData()
        return BoardFilter(
            number=self.number.text(),
            keyword=self.keyword.text(),
            period_days=int(self.period.currentData()),
            state=PrescriptionState(state) if state else None,
            profession_code=self.profession.currentData(),
        )

    def _filters_changed(self) -> None:
        board_filter = self.current_filter()
        for proxy in self.proxies.values():
            proxy.set_filter(board_filter)
        self._show_count()

    def _period_changed(self) -> None:
        if int(self.period.currentData()) > self.loaded_days:
            self.reload()  # older rows were never read
        self._filters_changed()

    def _show_count(self) -> None:
        if self.missed:
            self.status.setText(f"{self.missed} changement(s) non affiché(s) : Actualiser (F5)")
            return
        counts = ", ".join(f"{s.label} : {p.rowCount()}" for s, p in self.proxies.items())
        self.status.setText(counts)

    # ---- reading the board ------------------------------------------------------------------------
    def reload(self) -> None:
        spawn(self.refresh())

    async def refresh(self) -> None:
        """A full read of the period, shown page by page (the latest rows first): the first page
        resets the model (the one reset), the next ones are inserted; then the events received
        meanwhile."""
        if self.feed.loading:
            return
        days = int(self.period.currentData())
        self.status.setText("Chargement…")
        failure = await self.feed.read(days)
        if not Shiboken.isValid(self):
            return  # deleted with the main window during the read
        self._filters_changed()
        if failure is not None:
            self.status.setText(f"Tableau de bord non actualisé : {failure}")
            if not self.loaded_days:
                QTimer.singleShot(RETRY_MS, self, self.reload)  # never read yet: try again
            return
        self.refreshed.emit()

    def on_event(self, event: FeedEvent) -> None:
        """A change-feed event (`Session.on_event`)."""
        if self.feed.on_event(event, auto=self.auto.isChecked()):
            self._show_count()

    def _auto_toggled(self, on: bool) -> None:
        if on and self.missed:
            self.reload()
        self._show_count()

    # ---- countdown and rows -----------------------------------------------------------------------
    def tick(self) -> None:
        """Repaints the countdown cells of the visible pending rows, nothing else."""
        for section, table in self.tables.items():
            if not table.isVisible():
                continue
            proxy = self.proxies[section]
            viewport = table.viewport()
            top = table.rowAt(0)
            if top < 0:
                continue
            bottom = table.rowAt(viewport.height() - 1)
            bottom = proxy.rowCount() - 1 if bottom < 0 else bottom
            region = QRect()
            for proxy_row in range(top, bottom + 1):
                index = proxy.index(proxy_row, Column.COUNTDOWN)
                if index.data(PENDING_ROLE):
                    region = region.united(table.visualRect(index))
            if not region.isEmpty():
                viewport.update(region)

    def _activated(self, index: object) -> None:
        prescription_id = index.data(ROW_ID_ROLE)  # type: ignore[attr-defined]
        if prescription_id is not None:
            self.open_requested.emit(int(prescription_id))

    def _patient_case(self, index: QModelIndex) -> None:
        patient_id = index.data(PATIENT_ID_ROLE)
        if patient_id is None:
            self.status.setText("Patient non identifié sur cette ligne : déclenchement impossible d'ici")
            return
        self.patient_case_requested.emit(int(patient_id))

    def proxy_row_of(self, section: Section, prescription_id: int) -> int | None:
        """The row a prescription is shown on in a section (tests, benchmarks)."""
        source = self.model.source_row(prescription_id)
        if source is None:
            return None
        index = self.proxies[section].mapFromSource(self.model.index(source, 0))
        return index.row() if index.isValid() else None
