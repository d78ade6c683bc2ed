"""« Fiches patients » (Alt+3): the active list — the patients with activity in the period
(« 14 derniers jours » by default) and those a keyword finds, each with its last events — and,
on Entrée or a double-click, the patient page. « Rafraîchissement auto »: the list re-reads itself
when the change feed reports a patient or a prescription change (coalesced, every 2 s at most,
and only while the tab is shown: a hidden tab reads once when shown again).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.patient_files import active_list
from desktop.state.patient_files import ACTIVE_PERIOD, PatientFileRow
from desktop.sync.errors import ApiProblem
from desktop.sync.patient_files_api import PatientFile, PatientFilesApi
from desktop.ui.keys import button_shortcut, enter_submits
from desktop.ui.patients.patient_form import PatientFormDialog
from desktop.ui.patients.patient_page import PatientPage
from desktop.ui.prescription.widgets import MessageLine, alive, problem_text
from desktop.ui.shell import Shell
from desktop.ui.tasks import on_loop, spawn
from shared.schemas.feed import FeedEvent, PatientChange, PrescriptionChange
from shared.schemas.patients import PatientOut

SEARCH_DELAY_MS = 300
REFRESH_DELAY_MS = 2000  # a busy hotline's events: one read of the list every 2 s at most
PERIODS = {7: "7 derniers jours", 14: "14 derniers jours", 30: "30 derniers jours", 90: "90 derniers jours"}
LIVE_EVENTS = (PatientChange, PrescriptionChange)  # a patient's file, or one of their requests


class PatientFilesView(QStackedWidget):
    """``shell``: the session, ``open_prescription`` and ``case_for_patient`` of the main window."""

    list_loaded = Signal(object)  # the rows shown (tests, screenshots)
    page_loaded = Signal(object)  # the PatientFile shown

    def __init__(self, shell: Shell) -> None:
        super().__init__()
        self.setObjectName("patient_files")
        self.shell = shell
        self.session = shell.session
        self.api = PatientFilesApi(self.session.client)
        self.rows: list[PatientFileRow] = []
        self._stale = False
        self._search_timer = self._timer(SEARCH_DELAY_MS)
        self._refresh_timer = self._timer(REFRESH_DELAY_MS)
        self.list_page = QWidget()
        column = QVBoxLayout(self.list_page)
        filters = QHBoxLayout()
        self.keyword = QLineEdit()
        self.keyword.setObjectName("patient_keyword")
        self.keyword.setPlaceholderText("Mot-clé : nom, téléphone, date de naissance, NIR, #fiche, soin…")
        self.keyword.textEdited.connect(lambda _t: self._search_timer.start())
        enter_submits(self.keyword, self.refresh)
        self.period = QComboBox()
        self.period.setObjectName("patient_period")
        for days, label in PERIODS.items():
            self.period.addItem(label, days)
        self.period.setCurrentIndex(self.period.findData(ACTIVE_PERIOD.days))
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.auto = QCheckBox("Rafraîchissement auto")
        self.auto.setObjectName("patient_auto_refresh")
        self.auto.setChecked(True)
        search = QPushButton("Rechercher")
        search.clicked.connect(self.refresh)
        self.create_button = QPushButton("Nouveau patient (Alt+N)")
        self.create_button.setObjectName("patient_list_create")
        button_shortcut(self.create_button, "Alt+N")
        self.create_button.clicked.connect(lambda: self.edit_patient(None))
        filters.addWidget(QLabel("<b>FICHES PATIENTS</b>"))
        filters.addWidget(self.keyword, 1)
        filters.addWidget(self.period)
        filters.addWidget(self.auto)
        filters.addWidget(search)
        filters.addWidget(self.create_button)
        column.addLayout(filters)
        self.message = MessageLine("patient_files_message")
        column.addWidget(self.message)
        self.list = QTreeWidget()
        self.list.setObjectName("patient_list")
        self.list.setHeaderLabels(["Patient", "Derniers événements"])
        self.list.setRootIsDecorated(False)
        self.list.setColumnWidth(0, 330)
        self.list.itemActivated.connect(lambda item, _c: self.open_patient(self._patient_id(item)))
        column.addWidget(self.list, 1)
        self.page = PatientPage()
        self.page.back.connect(self.show_list)
        self.page.new_case.connect(self.new_case_for)
        self.page.open_prescription.connect(shell.open_prescription)
        self.page.edit.connect(self.edit_patient)
        self.page.new_patient.connect(lambda: self.edit_patient(None))
        self.addWidget(self.list_page)
        self.addWidget(self.page)
        self._search_timer.timeout.connect(on_loop(self.load_list))
        self._refresh_timer.timeout.connect(on_loop(self._auto_refresh))
        self.session.on_event.append(self._event)
        self._stale = True  # first read when the tab is first shown

    def _timer(self, interval: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        return timer

    # ---- the active list --------------------------------------------------------------------------
    def refresh(self) -> None:
        self._search_timer.stop()
        spawn(self.load_list())

    async def load_list(self) -> list[PatientFileRow] | None:
        since = datetime.now(UTC) - timedelta(days=int(self.period.currentData()))
        keyword = self.keyword.text().strip()
        try:
            rows = await active_list(self.api, since, keyword)
        except ApiProblem as problem:
            if alive(self):
                self.message.error(problem_text(problem))
            return None
        if not alive(self):
            return None  # the main window closed meanwhile
        if keyword != self.keyword.text().strip():
            return None  # typed on meanwhile: the newer search shows its own answer
        self.message.clear_message()
        self.show_rows(rows)
        return rows

    def show_rows(self, rows: list[PatientFileRow]) -> None:
        self.rows = rows
        current = self._patient_id(self.list.currentItem())
        self.list.clear()
        for row in rows:
            events = row.event_lines() or ["Aucun événement sur la période"]
            item = QTreeWidgetItem([f"{row.name}\n{row.details}", "\n".join(events)])
            item.setData(0, Qt.ItemDataRole.UserRole, row.patient_id)
            self.list.addTopLevelItem(item)
            if row.patient_id == current:
                self.list.setCurrentItem(item)
        if not rows:
            self.list.addTopLevelItem(QTreeWidgetItem(["Aucun patient", ""]))
        self.list_loaded.emit(rows)

    @staticmethod
    def _patient_id(item: QTreeWidgetItem | None) -> int | None:
        value = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value else None

    def _event(self, event: FeedEvent) -> None:
        if not alive(self):  # the main window is gone; the session may still be stopping
            self.detach()
            return
        if not (self.auto.isChecked() and isinstance(event.payload, LIVE_EVENTS)):
            return
        if not self.isVisible():
            self._stale = True  # read when the tab is shown again: no board read for a hidden tab
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            spawn(self._auto_refresh())

    async def _auto_refresh(self) -> None:
        if self.currentWidget() is self.list_page:
            await self.load_list()
        elif self.page.file is not None:
            await self.open_patient(self.page.file.patient.id, switch=False)

    # ---- the patient page -------------------------------------------------------------------------
    def open_patient(self, patient_id: int | None, *, switch: bool = True) -> Any:
        if patient_id is None:
            return None
        return spawn(self.load_patient(patient_id, switch=switch))

    async def load_patient(self, patient_id: int, *, switch: bool = True) -> PatientFile | None:
        try:
            file = await self.api.patient_file(patient_id)
        except ApiProblem as problem:
            if alive(self):
                self.message.error(f"Patient n° {patient_id} illisible : {problem_text(problem)}")
            return None
        if not alive(self):
            return None
        self.page.show_file(file)
        if switch:
            self.setCurrentWidget(self.page)
            self.page.new_case_button.setFocus()
        self.page_loaded.emit(file)
        return file

    def edit_patient(self, patient: PatientOut | None) -> PatientFormDialog:
        """« Nouveau patient » (None) or « Modifier »; once saved, the patient's page shows it."""
        dialog = PatientFormDialog(self.session.client, patient, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda saved: self.open_patient(saved.id))
        dialog.open()
        return dialog

    def show_list(self) -> None:
        self.setCurrentWidget(self.list_page)
        self.list.setFocus()
        self.refresh()

    def new_case_for(self, patient_id: int) -> Any:
        """« Déclenchement pour ce patient »: the wizard with this patient (the main window's)."""
        return self.shell.case_for_patient(patient_id)

    def detach(self) -> None:
        if alive(self):
            self._search_timer.stop()
            self._refresh_timer.stop()
        if self._event in self.session.on_event:
            self.session.on_event.remove(self._event)
