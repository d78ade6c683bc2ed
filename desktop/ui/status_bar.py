"""The status bar: server diode (three states of the seeds), SIP, card reader, operator's state (the
shared ``AgentState`` the server records; « Pause — motif »), and a red line when the server does
not hold it (not yet sent, refused)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QLabel, QStatusBar

from desktop.state.agent_state import state_text
from desktop.sync.follower import FeedState
from shared.schemas.hotline import AgentState
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
    def __init__(self, on_operator_state: Callable[[AgentState], None]) -> None:
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
        for state in AgentState:
            self.operator.addItem(state.label, state.value)
        self.operator.activated.connect(lambda _i: on_operator_state(AgentState(self.operator.currentData())))
        self.state_problem = QLabel("")
        self.state_problem.setObjectName("state_problem")
        self.state_problem.setStyleSheet("color: #c62828;")
        self.state_problem.setWordWrap(True)
        self.state_problem.hide()
        self.addWidget(self.diode)
        self.addWidget(self.sip)
        self.addWidget(self.card)
        self.addPermanentWidget(self.state_problem)
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

    def set_operator_state(self, state: AgentState, pause_label: str = "") -> None:
        index = max(self.operator.findData(state.value), 0)
        pause = self.operator.findData(AgentState.PAUSE.value)
        self.operator.setItemText(
            pause, state_text(AgentState.PAUSE, pause_label if state is AgentState.PAUSE else "")
        )
        self.operator.setCurrentIndex(index)
        self.operator.setToolTip(f"Mon état : {state_text(state, pause_label)} (Ctrl+E)")

    def set_state_problem(self, text: str) -> None:
        """Why the server does not hold « Mon état » ("": it does)."""
        self.state_problem.setText(text)
        self.state_problem.setToolTip(text)
        self.state_problem.setVisible(bool(text))
