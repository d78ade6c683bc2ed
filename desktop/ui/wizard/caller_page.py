"""Step 1 « Appelant »: tél appel, service, appelant, profession, téléphone, ligne directe, demandeur."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from desktop.state.wizard.wizard import Step, Wizard
from desktop.ui.card_button import CardButton
from desktop.ui.wizard.form import error_label
from desktop.ui.wizard.page import StepPage


class CallerPage(StepPage):
    step = Step.CALLER
    extra_keys = frozenset({"requester"})

    def __init__(self, wizard: Wizard) -> None:
        super().__init__(wizard)
        form = self.form
        form.line("call_phone", "Tél appel", "01 23 45 67 89")
        form.line("service", "Service")
        form.line("caller_name", "Appelant")
        form.line("caller_profession", "Profession")
        form.line("caller_phone", "Téléphone")
        form.line("direct_line", "Ligne directe")
        self.same = QCheckBox("Le demandeur est l'appelant")
        self.same.setObjectName("requester_is_caller")
        self.same.toggled.connect(self._toggle)
        self.layout_.addRow("", self.same)
        self.requester_error = error_label()
        self.requester_error.setObjectName("error_requester")
        self.layout_.addRow("", self.requester_error)
        form.line("requester_name", "Demandeur (nom)")
        form.line("requester_rpps", "RPPS du demandeur")
        self.card = CardButton("Lire la carte CPS", "Alt+C", "read_cps")
        self.layout_.addRow("Carte CPS", self.card)
        self.layout_.addRow("", QLabel("Une carte CPS lue remplit le demandeur."))

    def _toggle(self, checked: bool) -> None:
        self.wizard.set_field(Step.CALLER, "requester_is_caller", checked)
        self.requester_error.hide()
        self._enable()

    def _enable(self) -> None:
        same = self.wizard.caller.requester_is_caller
        for name in ("requester_name", "requester_rpps"):
            self.form.widgets[name].setEnabled(not same)

    def load(self) -> None:
        self.same.blockSignals(True)
        self.same.setChecked(self.wizard.caller.requester_is_caller)
        self.same.blockSignals(False)
        self._enable()
        super().load()

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        message = errors.get("requester", "")
        self.requester_error.setText(message)
        self.requester_error.setVisible(bool(message))
        first = super().show_errors(errors)
        return first or (self.same if message else None)
