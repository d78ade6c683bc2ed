"""« Inscriptions à valider » (back office, admin): the registrations by status, oldest first; the
chosen one's form, the directory's verdict and the pièce justificative shown (each read audited by
the server); « Valider » (choosing the network when the one typed is new) and « Refuser » with a
mandatory reason — the applicant is told by SMS and e-mail."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QSplitter, QVBoxLayout

from desktop.state.back_office.registrations import (
    COLUMNS,
    STATUS_CHOICES,
    RegistrationRow,
    detail_lines,
    document_file_name,
    network_choices,
    reviewable,
)
from desktop.sync.back_office_api import BackOfficeApi
from desktop.sync.errors import ApiProblem
from desktop.ui.back_office.registration_dialogs import (
    ApproveDialog,
    DocumentPane,
    RejectDialog,
    make_column,
    who,
)
from desktop.ui.back_office.widgets import BackOfficePage, button, fill_table, make_table, status_line
from desktop.ui.tasks import spawn
from shared.schemas.registrations import RegistrationOut


class RegistrationsView(BackOfficePage):
    refreshed = Signal()
    detail_shown = Signal(int)  # the registration's id, once its form and document are shown
    dialog_opened = Signal(object)  # the dialog (tests)

    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("back_office_registrations")
        self.api = api
        self.rows: list[RegistrationRow] = []
        self.current: RegistrationOut | None = None
        self._document: tuple[bytes, str] | None = None
        self._wanted: int | None = None
        column = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("registrations_status")
        for label, value in STATUS_CHOICES.items():
            self.status_filter.addItem(label, value)
        self.status_filter.currentIndexChanged.connect(lambda _i: spawn(self.refresh()))
        caption = QLabel("&Statut")
        caption.setBuddy(self.status_filter)
        self.refresh_button = button("Actualiser", "F5", "registrations_refresh")
        self.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        bar.addWidget(caption)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        column.addLayout(bar)
        self.table = make_table(COLUMNS, "registrations_table")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.detail = QLabel("")
        self.detail.setObjectName("registration_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        self.document = DocumentPane()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        side = QSplitter(Qt.Orientation.Horizontal)
        side.addWidget(scroll)
        side.addWidget(make_column(self.document))
        split.addWidget(side)
        column.addWidget(split, 1)
        actions = QHBoxLayout()
        self.approve_button = button("Valider…", "Ctrl+Shift+V", "registration_approve")
        self.approve_button.clicked.connect(lambda: spawn(self.approve_selected()))
        self.reject_button = button("Refuser…", "Ctrl+Shift+R", "registration_reject")
        self.reject_button.clicked.connect(self.reject_selected)
        self.open_button = button("Ouvrir la pièce", "Ctrl+O", "registration_open_document")
        self.open_button.clicked.connect(self.open_document)
        for pushed in (self.approve_button, self.reject_button, self.open_button):
            actions.addWidget(pushed)
        actions.addStretch(1)
        column.addLayout(actions)
        self.status = status_line("registrations_status_line")
        column.addWidget(self.status)

    async def refresh(self) -> None:
        status = self.status_filter.currentData()
        try:
            found = await self.api.registrations(status)
        except ApiProblem as problem:
            self.status.setText(f"Inscriptions illisibles : {problem}")
            return
        chosen = self._wanted  # the one shown or still loading: a refresh keeps it
        self.rows = [RegistrationRow.of(r) for r in found]
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setCurrentCell(-1, -1)
        fill_table(self.table, [r.cells for r in self.rows])
        self.table.blockSignals(False)
        if not self.rows:
            self._clear()
        elif not self.select_id(chosen):
            self.table.selectRow(0)
            self._selection_changed()
        label = self.status_filter.currentText().lower()
        self.status.setText(f"{len(self.rows)} inscription(s) — {label}")
        self.refreshed.emit()

    def _clear(self) -> None:
        self.current, self._document = None, None
        self.detail.setText("Aucune inscription pour ce statut")
        self.document.say("", "absente")

    def select_id(self, registration_id: int | None) -> bool:
        for index, row in enumerate(self.rows):
            if row.registration.id == registration_id:
                self.table.selectRow(index)
                self._selection_changed()
                return True
        return False

    def selected(self) -> RegistrationOut | None:
        row = self.table.currentRow()
        return self.rows[row].registration if 0 <= row < len(self.rows) else None

    def _selection_changed(self) -> None:
        chosen = self.selected()
        if chosen is not None and chosen.id != self._wanted:
            self._wanted = chosen.id
            spawn(self.show_registration(chosen.id))

    async def show_registration(self, registration_id: int) -> None:
        """Reads the registration and its document again (both audited) and shows them."""
        self._wanted = registration_id
        try:
            registration = await self.api.registration(registration_id)
            document = None
            if registration.document_content_type is not None:
                document = await self.api.registration_document(registration_id)
        except ApiProblem as problem:
            self.status.setText(f"Inscription illisible : {problem}")
            return
        if self._wanted != registration_id:
            return  # another one was chosen meanwhile
        self.current, self._document = registration, document
        self.detail.setText("\n".join(detail_lines(registration)))
        if document is None:
            self.document.say("Aucune pièce justificative reçue", "absente")
        else:
            data, content_type = document
            self.document.show_document(data, content_type, document_file_name(registration, content_type))
        self.approve_button.setEnabled(reviewable(registration) is None)
        self.reject_button.setEnabled(reviewable(registration) is None)
        self.detail_shown.emit(registration_id)

    def open_document(self) -> None:
        if self.current is None or self._document is None:
            self.status.setText("Aucune pièce justificative à ouvrir")
            return
        data, content_type = self._document
        path = self.document.save_and_open(data, document_file_name(self.current, content_type))
        self.status.setText(f"Pièce enregistrée et ouverte : {path}")

    def _current_reviewable(self) -> RegistrationOut | None:
        registration = self.current
        if registration is None:
            self.status.setText("Choisissez d'abord une inscription dans la liste")
            return None
        why_not = reviewable(registration)
        if why_not is not None:
            self.status.setText(why_not)
            return None
        return registration

    async def approve_selected(self) -> None:
        registration = self._current_reviewable()
        if registration is None:
            return
        try:
            networks = await self.api.networks()
        except ApiProblem as problem:
            self.status.setText(f"Réseaux illisibles : {problem}")
            return

        async def approve(body: dict[str, object]) -> str:
            done = await self.api.approve_registration(registration.id, body)
            return f"Inscription de {who(done)} validée : compte « {done.username} » créé"

        dialog = ApproveDialog(registration, network_choices(registration, networks), approve, self)
        self._open(dialog)

    def reject_selected(self) -> None:
        registration = self._current_reviewable()
        if registration is None:
            return

        async def reject(reason: str) -> str:
            done = await self.api.reject_registration(registration.id, reason)
            return f"Inscription de {who(done)} refusée ; le motif lui est envoyé par SMS et e-mail"

        self._open(RejectDialog(registration, reject, self))

    def _open(self, dialog: ApproveDialog | RejectDialog) -> None:
        dialog.accepted.connect(lambda: self.status.setText(dialog.done_text))
        dialog.accepted.connect(lambda: spawn(self._after_review()))
        dialog.open()
        self.dialog_opened.emit(dialog)

    async def _after_review(self) -> None:
        done = self.status.text()
        self.current, self._wanted = None, None
        await self.refresh()
        self.status.setText(done)
