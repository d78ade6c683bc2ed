"""« Professionnels » (back office): search by name, RPPS, profession, commune, network and state;
edit the status, radius, communes served and notification hours (their « Profil Activité »),
deactivate or reactivate."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.state.back_office.accounts import FormInvalid
from desktop.state.back_office.notification_hours import NotificationWeek, settings_body
from desktop.state.back_office.professionals import (
    ACTIVE_CHOICES,
    COLUMNS,
    ProfessionalCriteria,
    ProfessionalRow,
    SettingsForm,
)
from desktop.sync.back_office_api import BackOfficeApi
from desktop.sync.errors import ApiProblem
from desktop.ui.back_office.notification_hours_editor import NotificationHoursEditor
from desktop.ui.back_office.user_dialogs import FormDialog
from desktop.ui.back_office.widgets import BackOfficePage, button, fill_table, make_table, status_line
from desktop.ui.keys import enter_submits
from desktop.ui.tasks import spawn
from shared.domain import PROFESSIONS, Availability
from shared.schemas.admin import ProfessionalOut
from shared.schemas.professional import ProfileOut


class SettingsDialog(FormDialog):
    """« Modifier le professionnel »: status, radius, communes served and the notification hours
    (« Pref. Notifs »): what they set themselves on their « Profil Activité »."""

    def __init__(
        self, pro: ProfessionalOut, profile: ProfileOut, api: BackOfficeApi, parent: QWidget
    ) -> None:
        super().__init__(f"Modifier — {pro.last_name.upper()} {pro.first_name}", parent)
        self.setObjectName("professional_dialog")
        self.pro, self.profile, self.api = pro, profile, api
        form = SettingsForm.of(profile)
        self.status = QComboBox()
        self.status.setObjectName("availability")
        for status in Availability:
            self.status.addItem(status.label, status)
        self.status.setCurrentIndex(max(0, self.status.findData(form.availability)))
        self.radius = QLineEdit(form.radius_km)
        self.radius.setObjectName("radius")
        self.communes = QLineEdit(form.communes)
        self.communes.setObjectName("communes")
        self.communes.setPlaceholderText("codes INSEE séparés par des espaces")
        self.form.addRow(QLabel(f"Statut actuel : {profile.availability_label}"))
        self.form.addRow("&Statut", self.status)
        self.form.addRow("&Rayon (km)", self.radius)
        self.form.addRow("&Communes desservies", self.communes)
        self.notification_hours = NotificationHoursEditor(NotificationWeek.of(profile), profile.timezone)
        self.form.addRow(self.notification_hours)
        self.status.setFocus()

    async def run(self) -> str:
        form = SettingsForm(Availability(self.status.currentData()), self.radius.text(), self.communes.text())
        body = settings_body(form, self.notification_hours.week(), self.profile)
        if not body:
            return "Aucune modification"
        await self.api.put_professional_profile(self.pro.user_id, body)
        return f"Professionnel « {self.pro.last_name.upper()} {self.pro.first_name} » modifié"


class ProfessionalsView(BackOfficePage):
    refreshed = Signal()
    dialog_opened = Signal(object)

    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("back_office_professionals")
        self.api = api
        self.rows: list[ProfessionalRow] = []
        self.network_names: dict[int, str] = {}
        column = QVBoxLayout(self)
        grid = QGridLayout()
        self.name, self.rpps, self.commune = QLineEdit(), QLineEdit(), QLineEdit()
        self.profession, self.network, self.active = QComboBox(), QComboBox(), QComboBox()
        self.profession.addItem("Toutes", "")
        for code, label in PROFESSIONS.items():
            self.profession.addItem(label, code)
        self.network.addItem("Tous", None)
        for text, value in ACTIVE_CHOICES.items():
            self.active.addItem(text, value)
        fields = (
            ("&Nom", self.name, "pro_name"),
            ("RPP&S", self.rpps, "pro_rpps"),
            ("&Commune", self.commune, "pro_commune"),
            ("Pro&fession", self.profession, "pro_profession"),
            ("Rése&au", self.network, "pro_network"),
            ("É&tat", self.active, "pro_active"),
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
        self.search_button = button("Rechercher", "Ctrl+R", "pro_search")
        self.search_button.clicked.connect(lambda: spawn(self.refresh()))
        self.table = make_table(COLUMNS, "professionals_table")
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        column.addWidget(self.search_button)
        column.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.edit_button = button("Modifier…", "Ctrl+M", "pro_edit")
        self.edit_button.clicked.connect(self.edit_selected)
        self.toggle_button = button("Désactiver / Réactiver", "Ctrl+D", "pro_toggle")
        self.toggle_button.clicked.connect(lambda: spawn(self.toggle_selected()))
        actions.addWidget(self.edit_button)
        actions.addWidget(self.toggle_button)
        actions.addStretch(1)
        column.addLayout(actions)
        self.status = status_line("pro_status")
        column.addWidget(self.status)

    def criteria(self) -> ProfessionalCriteria:
        return ProfessionalCriteria(
            name=self.name.text(),
            rpps=self.rpps.text(),
            profession=str(self.profession.currentData() or ""),
            commune=self.commune.text(),
            network_id=self.network.currentData(),
            active=self.active.currentData(),
        )

    async def refresh(self) -> None:
        try:
            params = self.criteria().params()
        except FormInvalid as invalid:
            self.status.setText(str(invalid))
            return
        try:
            networks = await self.api.networks()
            found = await self.api.professionals(params)
        except ApiProblem as problem:
            self.status.setText(f"Recherche impossible : {problem}")
            return
        self._networks_changed({n.id: n.name for n in networks})
        self.rows = [ProfessionalRow.of(p, self.network_names) for p in found]
        fill_table(self.table, [r.cells for r in self.rows])
        self.status.setText(f"{len(self.rows)} professionnel(s)")
        self.refreshed.emit()

    def _networks_changed(self, names: dict[int, str]) -> None:
        if names == self.network_names:
            return
        chosen = self.network.currentData()
        self.network_names = names
        self.network.clear()
        self.network.addItem("Tous", None)
        for network_id, name in sorted(names.items(), key=lambda item: item[1].casefold()):
            self.network.addItem(name, network_id)
        self.network.setCurrentIndex(max(0, self.network.findData(chosen)))

    def selected(self) -> ProfessionalOut | None:
        row = self.table.currentRow()
        return self.rows[row].professional if 0 <= row < len(self.rows) else None

    def edit_selected(self) -> None:
        spawn(self._edit())

    async def _edit(self) -> None:
        pro = self.selected()
        if pro is None:
            self.status.setText("Choisissez d'abord un professionnel dans la liste")
            return
        try:
            profile = await self.api.professional_profile(pro.user_id)
        except ApiProblem as problem:
            self.status.setText(str(problem))
            return
        dialog = SettingsDialog(pro, profile, self.api, self)
        dialog.accepted.connect(lambda: spawn(self.refresh_then_say(self.status, dialog.done_text)))
        dialog.open()
        self.dialog_opened.emit(dialog)

    async def toggle_selected(self) -> None:
        pro = self.selected()
        if pro is None:
            self.status.setText("Choisissez d'abord un professionnel dans la liste")
            return
        try:
            changed = await self.api.patch_professional(pro.user_id, {"active": not pro.active})
        except ApiProblem as problem:
            self.status.setText(str(problem))
            return
        await self.refresh()
        done = "réactivé" if changed.active else "désactivé"
        self.status.setText(f"Professionnel « {changed.last_name.upper()} {changed.first_name} » {done}")
