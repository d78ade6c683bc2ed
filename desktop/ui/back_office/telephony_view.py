"""« Téléphonie » (admin, Alt+8): the hotline's settings (`GET`/`PUT /hotline/settings`) — pause
reasons and call qualifications (one « code = Libellé » a line), wrap-up delay, unanswered calls
before the automatic pause, distribution strategy, ringing time, service level and its target.
« Enregistrer » (Ctrl+S) sends them; each refusal shows under its field."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPlainTextEdit, QSpinBox, QVBoxLayout

from desktop.state.back_office.telephony import (
    LIST_FIELDS,
    NUMBERS,
    STRATEGIES,
    TelephonyForm,
    unanswered_note,
)
from desktop.sync.back_office_api import BackOfficeApi
from desktop.sync.errors import ApiProblem, RequestRefused
from desktop.sync.hotline_api import HotlineApi
from desktop.ui.back_office.widgets import BackOfficePage, button, status_line
from desktop.ui.tasks import spawn


class TelephonyView(BackOfficePage):
    refreshed = Signal()
    saved = Signal(object)  # the HotlineSettings the server kept

    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("telephony_view")
        self.api = HotlineApi(api.client)
        column = QVBoxLayout(self)
        form = QFormLayout()
        self.lists: dict[str, QPlainTextEdit] = {}
        self.numbers: dict[str, QSpinBox] = {}
        self.messages: dict[str, QLabel] = {}
        for name, label in LIST_FIELDS.items():
            edit = QPlainTextEdit()
            edit.setObjectName(name)
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText("code = Libellé (une ligne par entrée)")
            self.lists[name] = edit
            form.addRow(label, edit)
            form.addRow("", self._message(name))
        for name, (label, low, high) in NUMBERS.items():
            spin = QSpinBox()
            spin.setObjectName(name)
            spin.setRange(low, high)
            self.numbers[name] = spin
            form.addRow(label, spin)
            form.addRow("", self._message(name))
        self.strategy = QComboBox()
        self.strategy.setObjectName("strategy")
        for code, label in STRATEGIES.items():
            self.strategy.addItem(label, code)
        form.addRow("Distribution des appels", self.strategy)
        form.addRow("", self._message("strategy"))
        column.addLayout(form)
        self.save_button = button("Enregistrer", "Ctrl+S", "telephony_save")
        self.save_button.clicked.connect(lambda: spawn(self.save()))
        column.addWidget(self.save_button)
        self.status = status_line("telephony_status")
        column.addWidget(self.status)
        column.addStretch(1)

    def _message(self, name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(f"{name}_message")
        label.setStyleSheet("color: #c62828;")
        label.setWordWrap(True)
        self.messages[name] = label
        return label

    async def refresh(self) -> None:
        try:
            settings = await self.api.settings()
        except ApiProblem as problem:
            self.status.setText(f"Réglages de téléphonie illisibles : {problem}")
            return
        form = TelephonyForm.of(settings)
        for name, edit in self.lists.items():
            edit.setPlainText(getattr(form, name))
        for name, spin in self.numbers.items():
            spin.setValue(form.numbers[name])
        self.strategy.setCurrentIndex(max(self.strategy.findData(form.strategy), 0))
        self.refreshed.emit()

    def form(self) -> TelephonyForm:
        return TelephonyForm(
            pause_reasons=self.lists["pause_reasons"].toPlainText(),
            qualifications=self.lists["qualifications"].toPlainText(),
            numbers={name: spin.value() for name, spin in self.numbers.items()},
            strategy=str(self.strategy.currentData()),
        )

    async def save(self) -> None:
        form = self.form()
        settings = form.checked()
        for name, label in self.messages.items():
            label.setText(form.errors.get(name, ""))
        if settings is None:
            self.status.setText(
                form.errors.get("form", "Réglages non enregistrés : corrigez les champs en rouge")
            )
            return
        try:
            kept = await self.api.put_settings(settings)
        except RequestRefused as problem:
            self.status.setText(f"Réglages refusés : {problem.full_message()}")
            return
        except ApiProblem as problem:
            self.status.setText(f"Réglages non enregistrés : {problem}")
            return
        note = unanswered_note(settings.pause_reasons)
        await self.refresh()
        self.status.setText("Réglages de téléphonie enregistrés" + (f". {note}" if note else ""))
        self.saved.emit(kept)
