"""« Réseaux »: every network with its member counts; create one, rename one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from desktop.state.back_office.accounts import NETWORK_COLUMNS, NetworkRow, check_network_name
from desktop.sync.back_office_api import BackOfficeApi
from desktop.sync.errors import ApiProblem
from desktop.ui.back_office.user_dialogs import FormDialog
from desktop.ui.back_office.widgets import BackOfficePage, button, fill_table, make_table, status_line
from desktop.ui.tasks import spawn
from shared.schemas.back_office import NetworkSummary


class NameDialog(FormDialog):
    def __init__(
        self, title: str, name: str, submit: Callable[[str], Awaitable[str]], parent: QWidget
    ) -> None:
        super().__init__(title, parent)
        self.setObjectName("network_dialog")
        self.submit = submit
        self.name = QLineEdit(name)
        self.name.setObjectName("network_name")
        self.name.selectAll()
        self.form.addRow("&Nom du réseau", self.name)
        self.name.setFocus()

    async def run(self) -> str:
        return await self.submit(check_network_name(self.name.text()))


class NetworksView(BackOfficePage):
    refreshed = Signal()
    dialog_opened = Signal(object)

    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("networks_view")
        self.api = api
        self.rows: list[NetworkRow] = []
        column = QVBoxLayout(self)
        self.table = make_table(NETWORK_COLUMNS, "networks_table")
        self.table.doubleClicked.connect(lambda _index: self.rename_selected())
        column.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.new_button = button("Nouveau réseau…", "Ctrl+Shift+N", "network_new")
        self.new_button.clicked.connect(self.new_network)
        self.rename_button = button("Renommer…", "F2", "network_rename")
        self.rename_button.clicked.connect(self.rename_selected)
        actions.addWidget(self.new_button)
        actions.addWidget(self.rename_button)
        actions.addStretch(1)
        column.addLayout(actions)
        self.status = status_line("networks_status")
        column.addWidget(self.status)

    async def refresh(self) -> None:
        try:
            networks = await self.api.networks()
        except ApiProblem as problem:
            self.status.setText(f"Réseaux illisibles : {problem}")
            return
        self.rows = [NetworkRow.of(n) for n in networks]
        fill_table(self.table, [r.cells for r in self.rows])
        self.refreshed.emit()

    def selected(self) -> NetworkSummary | None:
        row = self.table.currentRow()
        return self.rows[row].network if 0 <= row < len(self.rows) else None

    def select_id(self, network_id: int) -> bool:
        for index, row in enumerate(self.rows):
            if row.network.id == network_id:
                self.table.selectRow(index)
                return True
        return False

    def _open(self, dialog: NameDialog) -> None:
        dialog.accepted.connect(lambda: spawn(self.refresh_then_say(self.status, dialog.done_text)))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def new_network(self) -> None:
        async def create(name: str) -> str:
            created = await self.api.create_network(name)
            return f"Réseau « {created.name} » créé"

        self._open(NameDialog("Nouveau réseau", "", create, self))

    def rename_selected(self) -> None:
        network = self.selected()
        if network is None:
            self.status.setText("Choisissez d'abord un réseau dans la liste")
            return

        async def rename(name: str) -> str:
            renamed = await self.api.rename_network(network.id, name)
            return f"Réseau « {network.name} » renommé en « {renamed.name} »"

        self._open(NameDialog(f"Renommer « {network.name} »", network.name, rename, self))
