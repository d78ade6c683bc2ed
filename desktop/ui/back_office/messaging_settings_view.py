"""« Messagerie » (admin, Alt+9): how long a conversation without a new message stays open before
it is archived (`GET`/`PUT /admin/messaging-settings`; read-only and out of the lists once archived,
everything kept for the audit — docs/messaging.md « Retention »). « Enregistrer » (Ctrl+S)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QSpinBox, QVBoxLayout

from desktop.sync.back_office_api import BackOfficeApi
from desktop.sync.errors import ApiProblem, RequestRefused
from desktop.sync.messaging_api import MessagingApi
from desktop.ui.back_office.widgets import BackOfficePage, button, status_line
from desktop.ui.tasks import spawn

RETENTION_MIN, RETENTION_MAX = 30, 36500  # shared.schemas.messaging.MessagingSettingsIn's bounds


class MessagingSettingsView(BackOfficePage):
    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("messaging_settings_view")
        self.api = MessagingApi(api.client)
        column = QVBoxLayout(self)
        form = QFormLayout()
        self.retention = QSpinBox()
        self.retention.setObjectName("retention_days")
        self.retention.setRange(RETENTION_MIN, RETENTION_MAX)
        self.retention.setSuffix(" jours")
        form.addRow("Archiver une conversation sans nouveau message après", self.retention)
        column.addLayout(form)
        column.addWidget(
            QLabel(
                "Une conversation archivée ne reçoit plus de message et sort des listes ; "
                "rien n'est effacé (traçabilité)."
            )
        )
        self.save_button = button("Enregistrer", "Ctrl+S", "messaging_settings_save")
        self.save_button.clicked.connect(lambda: spawn(self.save()))
        column.addWidget(self.save_button)
        self.status = status_line("messaging_settings_status")
        column.addWidget(self.status)
        column.addStretch(1)

    async def refresh(self) -> None:
        try:
            settings = await self.api.settings()
        except ApiProblem as problem:
            self.status.setText(f"Réglages de la messagerie illisibles : {problem}")
            return
        self.retention.setValue(settings.retention_days)

    async def save(self) -> None:
        try:
            kept = await self.api.put_settings(self.retention.value())
        except RequestRefused as problem:
            self.status.setText(f"Réglage refusé : {problem.full_message()}")
            return
        except ApiProblem as problem:
            self.status.setText(f"Réglage non enregistré : {problem}")
            return
        self.retention.setValue(kept.retention_days)
        self.status.setText(
            f"Conservation enregistrée : {kept.retention_days} jours sans message avant l'archivage"
        )
