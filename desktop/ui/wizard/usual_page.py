"""Step 4 « Professionnels habituels »: five slots filled from the national directory."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QWidget

from desktop.state.wizard.wizard import Step, Wizard
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem
from desktop.ui.keys import button_shortcut
from desktop.ui.tasks import spawn
from desktop.ui.wizard.page import StepPage
from shared.domain import USUAL_PROFESSIONAL_SLOTS
from shared.schemas.directory import DirectoryProfessional


class UsualPage(StepPage):
    step = Step.USUAL_PROFESSIONALS

    def __init__(self, wizard: Wizard, client: ApiClient | None) -> None:
        super().__init__(wizard)
        self.client = client
        self.slots = QListWidget()
        self.slots.setObjectName("slots")
        self.slots.setMaximumHeight(120)
        self.layout_.addRow("Professionnels habituels", self.slots)
        remove = QPushButton("Retirer (Suppr)")
        button_shortcut(remove, "Delete")
        remove.clicked.connect(self._remove)
        self.layout_.addRow("", remove)
        form = self.form
        form.combo("search_profession", "Profession", list(USUAL_PROFESSIONAL_SLOTS.items()))
        form.line("search_last_name", "Nom", "au moins 3 lettres")
        form.line("search_first_name", "Prénom")
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        search = QPushButton("Rechercher dans l'annuaire (Alt+F)")
        button_shortcut(search, "Alt+F")
        search.clicked.connect(lambda: spawn(self.search_now()))
        add = QPushButton("Ajouter (Alt+A)")
        button_shortcut(add, "Alt+A")
        add.clicked.connect(self._add)
        row.addWidget(search)
        row.addWidget(add)
        self.layout_.addRow("", buttons)
        self.results = QListWidget()
        self.results.setObjectName("directory_results")
        self.layout_.addRow("Annuaire", self.results)
        self.status = QLabel("Étape facultative : « Suivant » pour continuer.")
        self.layout_.addRow("", self.status)

    async def search_now(self) -> None:
        step = self.wizard.usual
        errors = step.search_errors()
        self.form.show_errors(errors)
        if errors or self.client is None:
            return
        try:
            query = step.search_query()
            found = await self.client.search_directory(
                last_name=query.get("last_name", ""),
                first_name=query.get("first_name", ""),
                profession=query.get("profession", ""),
            )
        except ApiProblem as problem:
            self.status.setText(str(problem))
            return
        step.set_results(list(found.items))
        self.wizard.changed()
        count = len(found.items)
        self.status.setText(f"{count} professionnel(s) trouvé(s)" if count else "Aucun professionnel trouvé")
        self._show()

    def _add(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.wizard.usual.add(str(item.data(Qt.ItemDataRole.UserRole)))
        self.wizard.changed()
        self._show()

    def _remove(self) -> None:
        item = self.slots.currentItem()
        code = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if code:
            self.wizard.usual.remove(str(code))
            self.wizard.changed()
            self._show()

    def _show(self) -> None:
        self.slots.clear()
        for code, label, chosen in self.wizard.usual.slots():
            who = f"{chosen['last_name']} {chosen['first_name']} ({chosen['rpps']})" if chosen else "—"
            item = QListWidgetItem(f"{label} : {who}")
            item.setData(Qt.ItemDataRole.UserRole, code if chosen else "")
            self.slots.addItem(item)
        self.results.clear()
        for data in self.wizard.usual.results:
            found = DirectoryProfessional.model_validate(data)
            place = f"{found.postal_code or ''} {found.commune or ''}".strip()
            who = f"{found.last_name} {found.first_name or ''}".strip()
            text = f"{who} — {found.profession or ''} — {place} — {found.rpps}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, found.rpps)
            self.results.addItem(item)

    def load(self) -> None:
        super().load()
        self._show()
