"""« Journal des notifications » (back office, admin): every notification sent or not sent — by
professional, channel, status, purpose and period (days in Europe/Paris) — newest first, by pages
(« Suite »); each read audited by the server (`delivery_log`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.state.back_office.audit import FilterInvalid
from desktop.state.back_office.deliveries import (
    CHANNELS,
    COLUMNS,
    PURPOSES,
    STATUSES,
    DeliveryFilterForm,
    DeliveryLog,
)
from desktop.sync.back_office_api import BackOfficeApi
from desktop.sync.errors import ApiProblem
from desktop.ui.back_office.widgets import BackOfficePage, button, fill_table, make_table, status_line
from desktop.ui.keys import enter_submits
from desktop.ui.tasks import spawn


def choices(values: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for code, label in values.items():
        box.addItem(label, code)
    return box


class DeliveriesView(BackOfficePage):
    refreshed = Signal()

    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("back_office_deliveries")
        self.api = api
        self.log = DeliveryLog()
        column = QVBoxLayout(self)
        grid = QGridLayout()
        self.professional, self.since, self.until = QLineEdit(), QLineEdit(), QLineEdit()
        self.professional.setPlaceholderText("n° d'utilisateur")
        self.since.setPlaceholderText("JJ/MM/AAAA")
        self.until.setPlaceholderText("JJ/MM/AAAA")
        self.channel, self.delivery_status, self.purpose = (
            choices(CHANNELS),
            choices(STATUSES),
            choices(PURPOSES),
        )
        fields: tuple[tuple[str, QWidget, str], ...] = (
            ("&Professionnel", self.professional, "deliveries_user"),
            ("&Canal", self.channel, "deliveries_channel"),
            ("S&tatut", self.delivery_status, "deliveries_status"),
            ("&Motif", self.purpose, "deliveries_purpose"),
            ("&Du", self.since, "deliveries_since"),
            ("A&u", self.until, "deliveries_until"),
        )
        for index, (caption, widget, name) in enumerate(fields):
            widget.setObjectName(name)
            buddy = QLabel(caption)
            buddy.setBuddy(widget)
            grid.addWidget(buddy, index // 3, (index % 3) * 2)
            grid.addWidget(widget, index // 3, (index % 3) * 2 + 1)
            if isinstance(widget, QLineEdit):
                enter_submits(widget, lambda: spawn(self.refresh()))
        column.addLayout(grid)
        self.table = make_table(COLUMNS, "deliveries_table")
        column.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.search_button = button("Rechercher", "Ctrl+R", "deliveries_search")
        self.search_button.clicked.connect(lambda: spawn(self.refresh()))
        self.more_button = button("Suite", "Ctrl+Shift+S", "deliveries_more")
        self.more_button.clicked.connect(lambda: spawn(self.more()))
        actions.addWidget(self.search_button)
        actions.addWidget(self.more_button)
        actions.addStretch(1)
        column.addLayout(actions)
        self.status = status_line("deliveries_status_line")
        column.addWidget(self.status)

    def form(self) -> DeliveryFilterForm:
        return DeliveryFilterForm(
            professional=self.professional.text(),
            channel=str(self.channel.currentData() or ""),
            status=str(self.delivery_status.currentData() or ""),
            purpose=str(self.purpose.currentData() or ""),
            since=self.since.text(),
            until=self.until.text(),
        )

    async def refresh(self) -> None:
        try:
            params = self.form().params()
        except FilterInvalid as invalid:
            self.status.setText(str(invalid))
            return
        try:
            page = await self.api.deliveries(params)
        except ApiProblem as problem:
            self.status.setText(f"Journal illisible : {problem}")
            return
        self.log.reset(params)
        added = self.log.add_page(page.items, page.next_before_id)
        fill_table(self.table, [r.cells for r in added])
        self._done()

    async def more(self) -> None:
        if self.log.next_before is None:
            self.status.setText("Aucun envoi plus ancien pour ces filtres")
            return
        try:
            page = await self.api.deliveries(self.log.params, before_id=self.log.next_before)
        except ApiProblem as problem:
            self.status.setText(f"Journal illisible : {problem}")
            return
        added = self.log.add_page(page.items, page.next_before_id)
        fill_table(self.table, [r.cells for r in added], append=True)
        self._done()

    def _done(self) -> None:
        self.more_button.setEnabled(self.log.next_before is not None)
        self.status.setText(self.log.summary())
        self.refreshed.emit()
