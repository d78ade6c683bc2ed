"""« Journal d'audit »: filters (utilisateur, patient, action, période in Europe/Paris days), the
entries newest first by pages (« Suite »), and « Exporter en CSV… » saving the server's file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from desktop.state.back_office.audit import ACTION_LABELS, COLUMNS, AuditFilterForm, AuditLog, FilterInvalid
from desktop.state.back_office.home import save_file
from desktop.sync.back_office_api import AUDIT_PAGE, BackOfficeApi
from desktop.sync.errors import ApiProblem
from desktop.ui.back_office.widgets import BackOfficePage, button, fill_table, make_table, status_line
from desktop.ui.keys import enter_submits
from desktop.ui.tasks import spawn


class AuditView(BackOfficePage):
    refreshed = Signal()
    exported = Signal(str)  # the path written
    export_dialog_opened = Signal(object)  # the QFileDialog (tests)

    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("audit_view")
        self.api = api
        self.log = AuditLog()
        self.save_dialog: QFileDialog | None = None
        column = QVBoxLayout(self)
        grid = QGridLayout()
        self.user, self.patient = QLineEdit(), QLineEdit()
        self.since, self.until = QLineEdit(), QLineEdit()
        self.user.setPlaceholderText("identifiant ou n° d'utilisateur")
        self.patient.setPlaceholderText("n° de patient")
        for edit in (self.since, self.until):
            edit.setPlaceholderText("JJ/MM/AAAA (heure de Paris)")
        self.action = QComboBox()
        self.action.setEditable(True)
        self.action.addItem("")
        for label in sorted(ACTION_LABELS.values(), key=str.casefold):
            self.action.addItem(label)
        fields = (
            ("&Utilisateur", self.user, "audit_user"),
            ("&Patient", self.patient, "audit_patient"),
            ("A&ction", self.action, "audit_action"),
            ("&Du", self.since, "audit_since"),
            ("A&u", self.until, "audit_until"),
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
        actions = QHBoxLayout()
        self.search_button = button("Rechercher", "Ctrl+R", "audit_search")
        self.search_button.clicked.connect(lambda: spawn(self.refresh()))
        self.more_button = button("Suite", "Ctrl+Shift+S", "audit_more")
        self.more_button.clicked.connect(lambda: spawn(self.more()))
        self.export_button = button("Exporter en CSV…", "Alt+X", "audit_export")
        self.export_button.clicked.connect(self.ask_export)
        for pushed in (self.search_button, self.more_button, self.export_button):
            actions.addWidget(pushed)
        actions.addStretch(1)
        column.addLayout(actions)
        self.table = make_table(COLUMNS, "audit_table")
        column.addWidget(self.table, 1)
        self.status = status_line("audit_status")
        column.addWidget(self.status)

    def filters(self) -> AuditFilterForm:
        return AuditFilterForm(
            user=self.user.text(),
            patient=self.patient.text(),
            action=self.action.currentText(),
            since=self.since.text(),
            until=self.until.text(),
        )

    async def refresh(self) -> None:
        try:
            params = self.filters().params()
        except FilterInvalid as invalid:
            self.status.setText(str(invalid))
            return
        self.log.reset(params)
        fill_table(self.table, [])
        await self._page()

    async def more(self) -> None:
        if self.log.complete:
            self.status.setText(self.log.summary())
            return
        await self._page()

    async def _page(self) -> None:
        try:
            entries = await self.api.audit_page(self.log.params, self.log.next_before(), AUDIT_PAGE)
        except ApiProblem as problem:
            self.status.setText(f"Journal illisible : {problem}")
            return
        added = self.log.add_page(entries, AUDIT_PAGE)
        fill_table(self.table, [r.cells for r in added], append=True)
        self.more_button.setEnabled(not self.log.complete)
        self.status.setText(self.log.summary())
        self.refreshed.emit()

    # ---- CSV export -------------------------------------------------------------------------------
    def ask_export(self) -> QFileDialog | None:
        form = self.filters()
        try:
            params = form.params()
        except FilterInvalid as invalid:
            self.status.setText(str(invalid))
            return None
        dialog = QFileDialog(self, "Exporter le journal d'audit en CSV")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter("Fichiers CSV (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(form.csv_name(datetime.now(UTC)))
        dialog.fileSelected.connect(lambda path: spawn(self.export_to(Path(path), params)))
        self.save_dialog = dialog
        dialog.open()
        self.export_dialog_opened.emit(dialog)
        return dialog

    async def export_to(self, path: Path, params: dict[str, str | int]) -> None:
        self.status.setText("Export en cours…")
        try:
            data = await self.api.audit_csv(params)
            save_file(path, data)
        except ApiProblem as problem:
            self.status.setText(f"Export impossible : {problem}")
            return
        except OSError as failure:
            self.status.setText(
                f"Export impossible : le fichier {path} n'a pas pu être écrit ({failure.strerror})"
            )
            return
        self.status.setText(f"Export enregistré : {path}")
        self.exported.emit(str(path))
