"""Step 5 « Qualification »: one tab per prescription; « + Plus » adds one to the same case.

« Restreindre au réseau » lists « Aucune restriction » then the networks the operator belongs to
(names from ``GET /networks``, read once when the page is built)."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QComboBox, QFormLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop.state.wizard.qualification_step import (
    INTERVENTION_DELAYS,
    RESPONSE_DELAYS,
    TZ_LABELS,
    network_choices,
)
from desktop.state.wizard.wizard import INTERVENTION_CHOICE, Step, Wizard
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem
from desktop.ui.keys import button_shortcut
from desktop.ui.tasks import spawn
from desktop.ui.wizard.form import BoundForm
from desktop.ui.wizard.page import StepPage
from shared.domain import INTERVENANTS, CareMode
from shared.schemas.admin import NetworkOut
from shared.validation import ValidationFailure

log = logging.getLogger(__name__)

CHOOSE = ("", "— choisir —")


class PrescriptionTab(QWidget):
    def __init__(self, wizard: Wizard, index: int, networks: list[tuple[str, str]]) -> None:
        super().__init__()
        self.wizard = wizard
        self.index = index
        layout = QFormLayout(self)
        self.form = BoundForm(layout, self.write, prefix=f"prescriptions.{index}.")
        form = self.form
        form.combo("profession_code", "Intervenant", [CHOOSE, *INTERVENANTS.items()])
        form.combo("network_id", "Restreindre au réseau", networks)
        form.line("care_type", "Soins")
        form.buttons("care_mode", "Type PeC", [(m.value, m.label) for m in CareMode])  # the tutorial's row
        form.line("intervention_date", "Date d'intervention", "JJ/MM/AAAA")
        form.line("intervention_time", "Heure", "HH:MM")
        form.combo("intervention_tz", "Fuseau", list(TZ_LABELS.items()))
        form.combo(
            "intervention_delay_minutes",
            "OU Délai d'intervention",
            [CHOOSE, *[(str(k), v) for k, v in INTERVENTION_DELAYS.items()]],
        )
        form.line("days", "Nb jours")
        form.line("visits_per_day", "Passages/jour")
        form.combo(
            "response_delay_minutes",
            "Délai de réponse",
            [CHOOSE, *[(str(k), v) for k, v in RESPONSE_DELAYS.items()]],
        )
        form.text("comment", "Commentaire")

    def write(self, name: str, value: str) -> None:
        self.wizard.set_prescription_field(self.index, name, value)
        if name in INTERVENTION_CHOICE:  # « … pas les deux » is stale once either changes
            for other in INTERVENTION_CHOICE:
                if other in self.form.errors:
                    self.form.errors[other].hide()

    def load(self) -> None:
        prescription = self.wizard.qualification.prescriptions[self.index]
        self.form.load({name: str(getattr(prescription, name)) for name in self.form.widgets})

    def set_networks(self, choices: list[tuple[str, str]]) -> None:
        """New choices (the names arrived); the prescription's value is kept and shown again."""
        box = self.form.widgets["network_id"]
        assert isinstance(box, QComboBox)
        box.blockSignals(True)  # refilling is not an edit
        try:
            box.clear()
            for value, text in choices:
                box.addItem(text, value)
            chosen = self.wizard.qualification.prescriptions[self.index].network_id
            box.setCurrentIndex(max(box.findData(chosen), 0))
        finally:
            box.blockSignals(False)


class QualificationPage(StepPage):
    step = Step.QUALIFICATION

    def __init__(self, wizard: Wizard, client: ApiClient | None = None) -> None:
        super().__init__(wizard)
        self.client = client
        self.networks: list[NetworkOut] = []
        column = QVBoxLayout()
        self.layout_.addRow(column)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("prescriptions")
        column.addWidget(self.tabs)
        self.plus = QPushButton("+ Plus (Alt+P)")
        self.plus.setObjectName("plus")
        button_shortcut(self.plus, "Alt+P")
        self.plus.clicked.connect(self.add_prescription)
        self.remove = QPushButton("Retirer ce déclenchement")
        self.remove.clicked.connect(self.remove_prescription)
        column.addWidget(self.plus)
        column.addWidget(self.remove)
        self._tabs: list[PrescriptionTab] = []
        if client is not None:
            spawn(self.read_networks())

    def network_choices(self) -> list[tuple[str, str]]:
        user = self.client.user if self.client is not None else None
        chosen = [form.network_id for form in self.wizard.qualification.prescriptions]
        return network_choices(self.networks, user.network_ids if user else [], keep=chosen)

    async def read_networks(self) -> None:
        if self.client is None:
            return
        try:
            response = await self.client.request("GET", "/networks")
        except ApiProblem as problem:  # offline: « Aucune restriction » (and any value already chosen)
            log.info("networks not read: %s", problem)
            return
        self.networks = [NetworkOut.model_validate(item) for item in response.json()]
        choices = self.network_choices()
        try:
            for tab in self._tabs:
                tab.set_networks(choices)
        except RuntimeError:  # the wizard was closed while the names were on their way
            log.debug("wizard closed before the networks arrived")

    def values(self) -> dict[str, str]:
        return {}

    def add_prescription(self) -> None:
        try:
            index = self.wizard.add_prescription()
        except ValidationFailure as failure:
            self.plus.setToolTip(failure.message)
            return
        self.load()
        self.tabs.setCurrentIndex(index)
        self._tabs[index].form.widgets["profession_code"].setFocus()

    def remove_prescription(self) -> None:
        try:
            self.wizard.remove_prescription(self.tabs.currentIndex())
        except ValidationFailure:
            return
        self.load()

    def load(self) -> None:
        count = len(self.wizard.qualification.prescriptions)
        while len(self._tabs) > count:
            self._tabs.pop()
            self.tabs.removeTab(self.tabs.count() - 1)
        while len(self._tabs) < count:
            tab = PrescriptionTab(self.wizard, len(self._tabs), self.network_choices())
            self._tabs.append(tab)
            self.tabs.addTab(tab, f"Déclenchement {len(self._tabs)}")
        for tab in self._tabs:
            tab.load()
        self.show_errors(self.wizard.errors)

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        first: QWidget | None = None
        for tab in self._tabs:
            found = tab.form.show_errors(errors)
            if found is not None and first is None:
                first = found
                self.tabs.setCurrentWidget(tab)
        return first

    def field_keys(self) -> set[str]:
        return {tab.form.prefix + name for tab in self._tabs for name in tab.form.widgets}

    def first_field(self) -> QWidget | None:
        tab = self._tabs[self.tabs.currentIndex()] if self._tabs else None
        return tab.form.widgets["profession_code"] if tab else None
