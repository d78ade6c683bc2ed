"""The details' action tabs: « Annuler la demande » (a reason is mandatory, refused without one
with the message under the field), « Renouveler le déclenchement », « Signaler un incident »."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.state import reached_nobody
from desktop.state.prescription_actions import (
    CANCELLABLE,
    RENEWABLE,
    FormRefused,
    RenewForm,
    cancel_body,
    incident_body,
    intervention_delay_choices,
    response_delay_choices,
    state_phrase,
)
from desktop.state.prescription_timeline import local_time
from desktop.state.times import zone_named
from desktop.sync.prescription_api import PrescriptionApi, PrescriptionDetails
from desktop.ui.keys import button_shortcut
from desktop.ui.prescription.widgets import (
    MessageLine,
    alive,
    field_error,
    request_action,
    show_field_error,
)
from desktop.ui.tasks import spawn
from shared.schemas.dispatch import PrescriptionView

Reload = Callable[[], None]


def _text_box(name: str, height: int = 70) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


def _with_error(box: QWidget, name: str) -> tuple[QWidget, QLabel]:
    holder = QWidget()
    holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # rows never stretch
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(1)
    column.addWidget(box)
    error = field_error(name)
    column.addWidget(error)
    return holder, error


class CancelTab(QWidget):
    def __init__(self, api: PrescriptionApi, reload: Reload) -> None:
        super().__init__()
        self.api = api
        self.reload = reload
        self.prescription: PrescriptionView | None = None
        layout = QFormLayout(self)
        self.state = QLabel()
        layout.addRow(self.state)
        self.reason = _text_box("cancel_reason")
        self.reason.setPlaceholderText("Motif de l'annulation (obligatoire)")
        holder, self.reason_error = _with_error(self.reason, "reason")
        self.reason.textChanged.connect(lambda: show_field_error(self.reason_error, None))
        layout.addRow("Motif *", holder)
        self.button = QPushButton("Annuler la demande")
        self.button.setObjectName("cancel_button")
        self.button.clicked.connect(lambda: spawn(self.submit()))
        layout.addRow(self.button)
        self.message = MessageLine("cancel_message")
        layout.addRow(self.message)

    def show_details(self, details: PrescriptionDetails) -> None:
        self.prescription = details.prescription
        allowed = details.prescription.state in CANCELLABLE
        self.button.setEnabled(allowed)
        self.reason.setReadOnly(not allowed)
        self.state.setText(
            "La demande peut être annulée tant qu'elle est en cours ou acceptée."
            if allowed
            else f"Annulation impossible : la demande est {state_phrase(details.prescription.state)}."
        )

    async def submit(self) -> bool:
        prescription = self.prescription
        if prescription is None:
            return False
        self.message.clear_message()
        try:
            body = cancel_body(prescription.state, self.reason.toPlainText())
        except FormRefused as refused:
            show_field_error(self.reason_error, refused.errors.get("reason"))
            if "" in refused.errors:
                self.message.error(refused.errors[""])
            self.reason.setFocus()
            return False
        done = await request_action(self, self.message, self.api.cancel(prescription.id, body))
        if done is None:
            return False
        if not alive(self):
            return True  # done on the server; the window is gone
        self.reason.clear()
        self.message.done("Demande annulée")
        self.reload()
        return True


class RenewTab(QWidget):
    """Patient, care mode, profession and the previous comment are shown; the operator types a
    free text and chooses the response and intervention delays."""

    def __init__(self, api: PrescriptionApi, reload: Reload) -> None:
        super().__init__()
        self.api = api
        self.reload = reload
        self.prescription: PrescriptionView | None = None
        layout = QFormLayout(self)
        self.state = QLabel()
        self.state.setWordWrap(True)
        layout.addRow(self.state)
        self.patient = QLabel()
        self.patient.setObjectName("renew_patient")
        layout.addRow("Patient", self.patient)
        self.care = QLabel()
        layout.addRow("Type de prise en charge", self.care)
        self.profession = QLabel()
        layout.addRow("Professionnel requis", self.profession)
        self.previous = QLabel()
        self.previous.setObjectName("renew_previous_comment")
        self.previous.setWordWrap(True)
        layout.addRow("Commentaire précédent", self.previous)
        self.free_text = _text_box("renew_free_text", 60)
        holder, self.free_text_error = _with_error(self.free_text, "free_text")
        layout.addRow("Texte libre", holder)
        self.response_delay = QComboBox()
        self.response_delay.setObjectName("renew_response_delay")
        holder, self.response_error = _with_error(self.response_delay, "response_delay_minutes")
        layout.addRow("Délai de réponse attendu *", holder)
        self.intervention_delay = QComboBox()
        self.intervention_delay.setObjectName("renew_intervention_delay")
        holder, self.intervention_error = _with_error(self.intervention_delay, "intervention_delay_minutes")
        layout.addRow("Délai d'intervention", holder)
        self.without_network = QCheckBox("Sans restriction de réseau (proposer à tous les professionnels)")
        self.without_network.setObjectName("renew_without_network")
        layout.addRow(self.without_network)
        self.button = QPushButton("Renouveler le déclenchement")
        self.button.setObjectName("renew_button")
        self.button.clicked.connect(lambda: spawn(self.submit()))
        layout.addRow(self.button)
        self.message = MessageLine("renew_message")
        layout.addRow(self.message)

    def show_details(self, details: PrescriptionDetails) -> None:
        view = details.prescription
        first = self.prescription is None or self.prescription.id != view.id
        changed_round = self.prescription is not None and self.prescription.round != view.round
        self.prescription = view
        patient = view.patient
        who = f"{patient.last_name.upper()} {patient.first_name}" if patient else "(anonymisé)"
        self.patient.setText(f"{who} — {view.area.age} ans — {view.area.postal_code} {view.area.commune}")
        self.care.setText(f"{view.care_mode.label} — {view.care_type}")
        self.profession.setText(view.profession)
        self.previous.setText(view.comment)
        widening = reached_nobody.of_view(view)
        allowed = view.state in RENEWABLE or widening
        self.button.setEnabled(allowed)
        self.without_network.setVisible(view.network_id is not None)
        self.without_network.setEnabled(allowed)
        if widening:
            self.state.setText(
                "Aucun professionnel n'a été joint : renouvelez avec un autre délai"
                + (" ou sans la restriction de réseau." if view.network_id is not None else ".")
            )
        elif allowed:
            self.state.setText(
                "Relancer une sollicitation : aucun intervenant n'a accepté, ou la demande a été annulée."
            )
        else:
            self.state.setText(
                "Renouvellement possible une fois la demande annulée ou expirée "
                f"(elle est {state_phrase(view.state)})."
            )
        if first or changed_round:
            form = RenewForm.from_prescription(view)
            self._fill(self.response_delay, response_delay_choices(view.response_delay_minutes))
            self._select(self.response_delay, form.response_delay_minutes)
            self._fill(self.intervention_delay, intervention_delay_choices(view.intervention_delay_minutes))
            self._select(self.intervention_delay, form.intervention_delay_minutes)

    @staticmethod
    def _fill(box: QComboBox, choices: list[tuple[str, str]]) -> None:
        box.clear()
        for value, text in choices:
            box.addItem(text, value)

    @staticmethod
    def _select(box: QComboBox, value: str) -> None:
        box.setCurrentIndex(max(box.findData(value), 0))

    def form(self) -> RenewForm:
        return RenewForm(
            response_delay_minutes=str(self.response_delay.currentData() or ""),
            intervention_delay_minutes=str(self.intervention_delay.currentData() or ""),
            free_text=self.free_text.toPlainText(),
            without_network=not self.without_network.isHidden() and self.without_network.isChecked(),
        )

    async def submit(self) -> bool:
        prescription = self.prescription
        if prescription is None:
            return False
        self.message.clear_message()
        errors_at = {
            "free_text": self.free_text_error,
            "response_delay_minutes": self.response_error,
            "intervention_delay_minutes": self.intervention_error,
        }
        try:
            body = self.form().body(prescription.state, reached_nobody.of_view(prescription))
        except FormRefused as refused:
            for name, label in errors_at.items():
                show_field_error(label, refused.errors.get(name))
            if "" in refused.errors:
                self.message.error(refused.errors[""])
            return False
        for label in errors_at.values():
            show_field_error(label, None)
        done = await request_action(self, self.message, self.api.renew(prescription.id, body))
        if done is None:
            return False
        if not alive(self):
            return True  # done on the server; the window is gone
        self.free_text.clear()
        self.without_network.setChecked(False)
        renewed = done.value
        count = renewed.notified_count
        self.message.done(
            f"{renewed.round}e Déclenchement envoyé — "
            + (f"{count} ressource(s) déclenchée(s)" if count else "Aucune ressource disponible")
        )
        self.reload()
        return True


class IncidentTab(QWidget):
    """« Cette information est transmise au superviseur de réseau » (seeds)."""

    def __init__(self, api: PrescriptionApi, reload: Reload) -> None:
        super().__init__()
        self.api = api
        self.reload = reload
        self.prescription: PrescriptionView | None = None
        layout = QFormLayout(self)
        note = QLabel(
            "L'incident est transmis aux superviseurs de votre réseau ; seuls eux et vous le voient."
        )
        note.setWordWrap(True)
        layout.addRow(note)
        self.text = _text_box("incident_text", 80)
        holder, self.text_error = _with_error(self.text, "incident")
        self.text.textChanged.connect(lambda: show_field_error(self.text_error, None))
        layout.addRow("Incident *", holder)
        self.button = QPushButton("Signaler l'incident")
        self.button.setObjectName("incident_button")
        button_shortcut(self.button, "Ctrl+Return")
        self.button.clicked.connect(lambda: spawn(self.submit()))
        layout.addRow(self.button)
        self.message = MessageLine("incident_message")
        layout.addRow(self.message)
        self.reported = QLabel()
        self.reported.setObjectName("incidents")
        self.reported.setWordWrap(True)
        layout.addRow("Incidents signalés", self.reported)

    def show_details(self, details: PrescriptionDetails) -> None:
        self.prescription = details.prescription
        zone = zone_named(details.prescription.intervention_tz)
        lines = [f"{local_time(i.at, zone)} {i.author.name} : {i.text}" for i in details.incidents]
        self.reported.setText("\n".join(lines) or "Aucun")

    async def submit(self) -> bool:
        if self.prescription is None:
            return False
        self.message.clear_message()
        try:
            body = incident_body(self.text.toPlainText(), self.prescription)
        except FormRefused as refused:
            show_field_error(self.text_error, refused.errors.get("text"))
            return False
        if await request_action(self, self.message, self.api.report_incident(body)) is None:
            return False
        if not alive(self):
            return True  # done on the server; the window is gone
        self.text.clear()
        self.message.done("Incident signalé aux superviseurs")
        self.reload()
        return True
