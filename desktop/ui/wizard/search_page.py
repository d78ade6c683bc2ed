"""Step 2 « Recherche patient »: the four traits, live results from the server, or a new patient."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QWidget

from desktop.state.wizard.search_step import MANDATORY_NOTE, NOT_REGISTERED, SearchStep, result_line
from desktop.state.wizard.wizard import Step, Wizard
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem
from desktop.ui.card_button import CardButton
from desktop.ui.keys import button_shortcut
from desktop.ui.tasks import on_loop, spawn
from desktop.ui.wizard.form import error_label
from desktop.ui.wizard.page import StepPage


class SearchPage(StepPage):
    step = Step.SEARCH
    extra_keys = frozenset({"patient"})

    def __init__(self, wizard: Wizard, client: ApiClient | None) -> None:
        super().__init__(wizard)
        self.client = client
        form = self.form
        self.card = CardButton("Lire la carte Vitale", "Alt+V", "read_vitale")
        self.layout_.addRow("Carte Vitale", self.card)
        self.mandatory_note = QLabel(MANDATORY_NOTE)
        self.mandatory_note.setObjectName("mandatory_note")
        self.layout_.addRow("", self.mandatory_note)
        for name, label, placeholder in (
            ("phone", "Téléphone", ""),
            ("last_name", "Nom", ""),
            ("first_name", "Prénom", ""),
            ("birth_date", "Date de naissance", "JJ/MM/AAAA"),
        ):  # the tutorial's four blocking traits, each marked « * » and said so to a screen reader
            edit = form.line(name, f"{label} *", placeholder)
            edit.setAccessibleName(f"{label} (obligatoire)")
        self.status = QLabel("Saisissez les traits du patient : la recherche est immédiate.")
        self.layout_.addRow("", self.status)
        self.results = QListWidget()
        self.results.setObjectName("results")
        self.results.currentItemChanged.connect(self._picked)
        self.layout_.addRow("Résultats", self.results)
        self.new_button = QPushButton(f"{NOT_REGISTERED} (Alt+N)")
        self.new_button.setObjectName("new_patient")
        button_shortcut(self.new_button, "Alt+N")
        self.new_button.clicked.connect(self._new_patient)
        self.layout_.addRow("", self.new_button)
        self.choice_error = error_label()
        self.choice_error.setObjectName("error_patient")
        self.layout_.addRow("", self.choice_error)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(on_loop(self.search_now))
        self._loading: asyncio.Task[None] | None = None
        self._filling = False

    def write(self, name: str, value: str) -> None:
        super().write(name, value)
        self._timer.start()

    async def search_now(self) -> None:
        query = self.wizard.search.live_query()
        if self.client is None or query is None:
            return
        try:
            result = await self.client.search_patients(**query)
        except ApiProblem as problem:
            self.status.setText(str(problem))
            return
        if query != self.wizard.search.live_query():
            return  # typed meanwhile: a newer search follows
        self.wizard.search.set_results(result)
        self.wizard.changed()
        count = len(result.items)
        self.status.setText(f"{count} patient(s) trouvé(s)" if count else "Aucun patient trouvé")
        self._show_results()

    def _show_results(self) -> None:
        self._filling = True
        self.results.clear()
        for match in self.wizard.search.matches():
            text = result_line(match, self.wizard.today())
            warning = SearchStep.duplicate_warning(match)
            if warning:
                text += f"  ⚠ {warning}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, match.id)
            self.results.addItem(item)
            if match.id == self.wizard.search.selected_patient_id:
                self.results.setCurrentItem(item)
        self._filling = False

    def _picked(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is None or self._filling:
            return
        self.choice_error.hide()
        self._loading = spawn(self._load_patient(int(item.data(Qt.ItemDataRole.UserRole))))

    async def _load_patient(self, patient_id: int) -> None:
        if self.client is None:
            return
        self.wizard.search.select(patient_id)
        try:
            patient = await self.client.get_patient(patient_id)
        except ApiProblem as problem:
            self.status.setText(str(problem))
            return
        if self.wizard.search.selected_patient_id == patient_id:
            self.wizard.use_patient(patient)
            self.status.setText(f"Patient choisi : {patient.last_name} {patient.first_name}")

    def _new_patient(self) -> None:
        self.wizard.choose_new_patient()
        self.results.clearSelection()
        self.choice_error.hide()
        self.status.setText(f"« {NOT_REGISTERED} » : la fiche sera créée à l'étape suivante")

    def card_filled(self) -> None:
        """A Carte Vitale filled the traits: shown at once, searched like typed ones, and the focus
        on the first trait still empty (the phone is not on the card)."""
        self.load()
        self._timer.start()
        empty = [name for name, value in self.wizard.search.traits().items() if not value.strip()]
        if empty:
            self.form.widgets[empty[0]].setFocus()

    async def prepare(self) -> None:
        if self._loading is not None and not self._loading.done():
            await self._loading
        if self._timer.isActive() and self.wizard.search.selected_patient_id is None:
            self._timer.stop()
            await self.search_now()

    def load(self) -> None:
        super().load()
        self._show_results()

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        message = errors.get("patient", "")
        self.choice_error.setText(message)
        self.choice_error.setVisible(bool(message))
        first = super().show_errors(errors)
        return first or (self.results if message else None)
