"""What the wizard window expects of each step's page."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QFormLayout, QWidget

from desktop.state.wizard.wizard import Step, Wizard
from desktop.ui.wizard.form import BoundForm


class StepPage(QWidget):
    step: Step

    def __init__(self, wizard: Wizard) -> None:
        super().__init__()
        self.wizard = wizard
        self.layout_ = QFormLayout(self)
        self.form = BoundForm(self.layout_, self.write)

    def write(self, name: str, value: str) -> None:
        self.wizard.set_field(self.step, name, value)

    def values(self) -> dict[str, str]:
        target = (
            self.wizard.caller,
            self.wizard.search,
            self.wizard.patient,
            self.wizard.usual,
            self.wizard.qualification,
        )[self.step]
        return {name: str(getattr(target, name, "") or "") for name in self.form.widgets}

    def load(self) -> None:
        self.form.load(self.values())
        self.show_errors(self.wizard.errors)

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        return self.form.show_errors(errors)

    def field_keys(self) -> set[str]:
        """The error keys this page shows next to a widget (the rest goes under the page)."""
        return {self.form.prefix + name for name in self.form.widgets} | self.extra_keys

    extra_keys: ClassVar[frozenset[str]] = frozenset()

    def first_field(self) -> QWidget | None:
        return next(iter(self.form.widgets.values()), None)

    async def prepare(self) -> None:
        """Finishes what the page started (a patient being loaded) before « Suivant »."""
