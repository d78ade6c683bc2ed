"""« Nouveau patient » and « Modifier » from « Fiches patients », outside any case (the tutorial's
« pré-enregistrement patients »): the wizard's patient step (`desktop.state.wizard.patient_step`,
Qt-free) checks the fields the same way, a new patient may look like a known one (the server says
so; the operator confirms), and a change is sent with the version read (« La fiche a été
modifiée entre-temps » when someone saved before). « Vigilance d'identité » is the wizard's block
(the status chooser narrowed to what the evidence supports; the evidence on file shown when
editing). The server audits both."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.state.times import today
from desktop.state.wizard.patient_step import PatientStep
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem
from desktop.ui.keys import button_shortcut
from desktop.ui.prescription.widgets import MessageLine, alive, problem_text
from desktop.ui.tasks import on_loop, spawn
from desktop.ui.wizard.form import BoundForm
from desktop.ui.wizard.identity_vigilance_block import REFRESHING_FIELDS, IdentityVigilanceBlock
from shared.domain import IdentityStatus, Sex
from shared.schemas.directory import CommuneOut
from shared.schemas.patients import PatientOut

CHOOSE = ("", "— choisir —")
SECTIONS: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("Contact", [("phone", "Téléphone *", ""), ("phone2", "Téléphone 2", ""), ("email", "E-mail", "")]),
    (
        "Identité",
        [
            ("last_name", "Nom *", ""),
            ("first_name", "Prénom *", ""),
            ("birth_last_name", "Nom de naissance", ""),
            ("birth_first_names", "Prénoms de naissance", ""),
            ("sex", "Sexe *", ""),
            ("birth_date", "Date de naissance *", "JJ/MM/AAAA"),
            ("birth_place_insee", "Lieu de naissance", "Code INSEE : commune, ou pays 99…"),
            ("nir", "NIR", ""),
            ("identity_status", "Statut INS", ""),
        ],
    ),
    (
        "Adresse",
        [
            ("address_line", "Adresse *", ""),
            ("city", "Commune *", "Tapez puis choisissez dans la liste"),
            ("postal_code", "Code postal", ""),
            ("address_complement", "Complément", ""),
            ("building", "Bâtiment", ""),
            ("floor", "Étage", ""),
            ("digicode", "Digicode", ""),
            ("door", "Porte", ""),
        ],
    ),
]
DUPLICATE_CHOICE = "Ce n'est pas le même patient : l'enregistrer quand même"


class PatientFormDialog(QDialog):
    """A new patient (`patient` None) or the patient read (`patient`), saved on « Enregistrer »."""

    saved = Signal(object)  # the PatientOut the server answered

    def __init__(self, client: ApiClient, patient: PatientOut | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.step = PatientStep.from_patient(patient) if patient is not None else PatientStep()
        self.setObjectName("patient_form")
        self.setWindowTitle(
            f"Modifier le patient {patient.last_name.upper()} {patient.first_name}"
            if patient
            else "Nouveau patient"
        )
        column = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        layout = QFormLayout(inner)
        scroll.setWidget(inner)
        column.addWidget(scroll, 1)
        self.form = BoundForm(layout, self._write)
        for title, rows in SECTIONS:
            layout.addRow(QLabel(f"<b>{title}</b>"))
            for name, label, placeholder in rows:
                if name == "sex":
                    self.form.combo(name, label, [CHOOSE, *[(s.value, s.label) for s in Sex]])
                elif name == "identity_status":
                    self.form.combo(name, label, [(s.value, s.label) for s in IdentityStatus])
                else:
                    self.form.line(name, label, placeholder)
        self.vigilance = IdentityVigilanceBlock(
            self.form, layout, client, lambda: self.step, self.today, self._show_step
        )
        self.vigilance.show_recorded(patient.identity_evidence if patient is not None else None)
        postal = self.form.widgets["postal_code"]
        if isinstance(postal, QLineEdit):
            postal.setReadOnly(True)  # set by the commune chosen
            postal.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._communes: dict[str, CommuneOut] = {}
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.activated.connect(lambda text: QTimer.singleShot(0, lambda: self.choose_commune(text)))
        city = self.form.widgets["city"]
        assert isinstance(city, QLineEdit)
        self.city = city
        city.setCompleter(self.completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(on_loop(self.find_communes))
        self.duplicates = QCheckBox(DUPLICATE_CHOICE)
        self.duplicates.setObjectName("patient_form_duplicates")
        self.duplicates.hide()
        column.addWidget(self.duplicates)
        self.message = MessageLine("patient_form_message")
        column.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Annuler (Échap)")
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Enregistrer (Ctrl+Entrée)")
        self.save_button.setObjectName("patient_form_save")
        self.save_button.setAutoDefault(False)
        button_shortcut(self.save_button, "Ctrl+Return")
        self.save_button.clicked.connect(lambda: spawn(self.save()))
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        self._show_step()
        self.resize(560, 640)

    def _show_step(self) -> None:
        """The step's values in the fields (the chooser narrowed first, so its status can be shown)."""
        self.vigilance.refresh()
        self.form.load({name: str(getattr(self.step, name)) for name in self.form.widgets})

    def _write(self, name: str, value: str) -> None:
        self.step.set_value(name, value)
        if name == "city":
            self._timer.start()
        if name in REFRESHING_FIELDS:
            self.vigilance.refresh()

    @staticmethod
    def today() -> date:
        return today()  # in Europe/Paris, whatever the workstation's zone

    async def find_communes(self) -> None:
        text = self.step.city.strip()
        if len(text) < 2:
            return
        try:
            found = await self.client.communes(text, limit=15)
        except ApiProblem:
            return
        if not alive(self):
            return
        self._communes = {f"{c.name} ({', '.join(c.postal_codes[:1])})": c for c in found}
        self._model.setStringList(list(self._communes))
        if self.city.hasFocus():
            self.completer.complete()

    def choose_commune(self, text: str) -> None:
        commune = self._communes.get(text)
        if commune is None:
            return
        self.step.choose_commune(commune)
        self._show_step()
        self.form.show_errors({})

    async def save(self) -> PatientOut | None:
        """Checked as the wizard checks its patient step, then created or patched (with its version)."""
        self.message.clear_message()
        self.step.acknowledge_duplicates = self.duplicates.isChecked()
        errors = self.step.validate(self.today())
        errors.pop("offered_phone", None)
        first = self.form.show_errors(errors)
        if errors:
            shown = {name for name in errors if name in self.form.widgets}
            rest = [message for name, message in errors.items() if name not in shown]
            self.message.error(" ; ".join(rest) if rest else "Corrigez les champs signalés")
            if first is not None:
                first.setFocus()
            return None
        try:
            saved = await self._send()
        except ApiProblem as problem:
            if alive(self):
                self._refused(problem)
            return None
        if saved is None:
            self.message.error("Aucune modification à enregistrer")
            return None
        if alive(self):
            self.saved.emit(saved)
            self.accept()
        return saved

    async def _send(self) -> PatientOut | None:
        if self.step.patient_id is None:
            return await self.client.create_patient(self.step.create_body().model_dump(mode="json"))
        patch = self.step.patch_body()
        if patch is None:
            return None
        body: dict[str, Any] = patch.model_dump(mode="json", include=patch.model_fields_set)
        return await self.client.patch_patient(self.step.patient_id, body)

    def _refused(self, problem: ApiProblem) -> None:
        if problem.code == "possible_duplicates":
            self.duplicates.show()
            self.duplicates.setFocus()
        field_errors = getattr(problem, "field_errors", None) or {}
        self.form.show_errors(dict(field_errors))
        self.message.error(problem_text(problem))
