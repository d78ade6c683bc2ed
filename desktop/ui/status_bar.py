"""The status bar: server diode (three states of the seeds), SIP, card reader, operator's state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QLabel, QStatusBar

from desktop.state.call_flow import OperatorState
from desktop.sync.follower import FeedState
from telephony.events import RegistrationChanged, RegistrationStatus

DIODE_COLOURS = {"Connecté": "#2e7d32", "En cours de connexion": "#f9a825"}
SIP_LABELS = {
    RegistrationStatus.REGISTERING: "Téléphonie : enregistrement…",
    RegistrationStatus.REGISTERED: "Téléphonie : en service",
    RegistrationStatus.UNREGISTERED: "Téléphonie : hors service",
    RegistrationStatus.AUTH_FAILED: "Téléphonie : identifiants refusés",
    RegistrationStatus.RETRYING: "Téléphonie : nouvel essai…",
}


class StatusBar(QStatusBar):
    def __init__(self, on_operator_state: Callable[[OperatorState], None]) -> None:
        super().__init__()
        self.diode = QLabel()
        self.diode.setObjectName("server_diode")
        self.server_text = ""
        self.sip = QLabel("Téléphonie : non configurée")
        self.sip.setObjectName("sip_state")
        self.card = QLabel("Lecteur de carte : non configuré")
        self.card.setObjectName("card_state")
        self.operator = QComboBox()
        self.operator.setObjectName("operator_state")
        self.operator.setToolTip("Mon état (Ctrl+E)")
        for state in OperatorState:
            self.operator.addItem(state.label, state.value)
        self.operator.activated.connect(
            lambda _i: on_operator_state(OperatorState(self.operator.currentData()))
        )
        self.addWidget(self.diode)
        self.addWidget(self.sip)
        self.addWidget(self.card)
        self.operator_label = QLabel("Mon état :")
        self.addPermanentWidget(self.operator_label)
        self.addPermanentWidget(self.operator)
        self.set_feed_state(FeedState.CONNECTING)

    def set_feed_state(self, state: FeedState) -> None:
        self.server_text = state.label
        colour = DIODE_COLOURS.get(state.label, "#c62828")
        self.diode.setText(f"<span style='color:{colour}; font-size:16px'>●</span> {state.label}")

    def set_registration(self, event: RegistrationChanged) -> None:
        self.sip.setText(SIP_LABELS.get(event.status, event.message))
        self.sip.setToolTip(event.message)

    def set_card_reader(self, text: str) -> None:
        self.card.setText(f"Lecteur de carte : {text}")

    def show_operator_state(self, shown: bool) -> None:
        """« Mon état » for who answers the hotline's calls only (not a practice's secretary)."""
        self.operator_label.setVisible(shown)
        self.operator.setVisible(shown)

    def set_operator_state(self, state: OperatorState) -> None:
        self.operator.setCurrentIndex(max(self.operator.findData(state.value), 0))
