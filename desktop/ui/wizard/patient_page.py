"""Step 3 « Patient »: contact, identity (live NIR check), address with the commune autocomplete."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.state.wizard.patient_step import MANDATORY, NOT_KEPT, OFFERED_PHONE, PHONE, PHONE2
from desktop.state.wizard.wizard import Step, Wizard
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem
from desktop.ui.keys import button_shortcut
from desktop.ui.tasks import on_loop
from desktop.ui.wizard.identity_vigilance_block import REFRESHING_FIELDS, IdentityVigilanceBlock
from desktop.ui.wizard.page import StepPage
from shared.domain import IdentityStatus, Sex
from shared.schemas.directory import CommuneOut

CHOOSE = ("", "— choisir —")
TERRITORIES = [("metropole", "France métropolitaine"), ("outre-mer", "Outre-mer")]


class PatientPage(StepPage):
    step = Step.PATIENT
    extra_keys = frozenset({"offered_phone", "insi"})

    def __init__(self, wizard: Wizard, client: ApiClient | None) -> None:
        super().__init__(wizard)
        self.client = client
        form = self.form
        self.layout_.addRow(QLabel("<b>Contact</b>"))
        self.offer = self._offer_box()
        self.layout_.addRow(self.offer)
        form.line("phone", "Téléphone")
        form.line("phone2", "Téléphone 2")
        form.line("email", "E-mail")
        self.layout_.addRow(QLabel("<b>Identité</b>"))
        form.line("last_name", "Nom")
        form.line("first_name", "Prénom")
        form.line("birth_last_name", "Nom de naissance")
        form.line("birth_first_names", "Prénoms de naissance")
        form.combo("sex", "Sexe", [CHOOSE, *[(s.value, s.label) for s in Sex]])
        form.line("birth_date", "Date de naissance", "JJ/MM/AAAA")
        form.line("birth_place_insee", "Lieu de naissance", "Code INSEE : commune, ou pays 99…")
        form.line("nir", "NIR")
        self.nir_check = QLabel()
        self.nir_check.setObjectName("nir_check")
        self.nir_check.setWordWrap(True)  # the Carte Vitale's notice wraps rather than widen the form
        self.layout_.addRow("", self.nir_check)
        form.combo("identity_status", "Statut INS", [(s.value, s.label) for s in IdentityStatus])
        form.line("occupation", "Profession")
        form.line("insurance_scheme", "Régime")
        self.layout_.addRow(QLabel("<b>Adresse</b>"))
        form.combo("territory", "Territoire", TERRITORIES)
        form.line("address_line", "Adresse")
        self.city = form.line("city", "Commune", "Tapez puis choisissez dans la liste")
        form.line("postal_code", "Code postal")
        for name, label in (
            ("address_complement", "Complément"),
            ("building", "Bâtiment"),
            ("staircase", "Escalier"),
            ("floor", "Étage"),
            ("digicode", "Digicode"),
            ("intercom", "Interphone"),
            ("door", "Porte"),
        ):
            form.line(name, label)
        self._identity_vigilance_rows()
        postal = self.form.widgets["postal_code"]
        if isinstance(postal, QLineEdit):
            postal.setReadOnly(True)  # set by the commune chosen
            postal.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._communes: dict[str, CommuneOut] = {}
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        # after the completer has written its text into the line edit
        self.completer.activated.connect(lambda text: QTimer.singleShot(0, lambda: self._choose(text)))
        self.city.setCompleter(self.completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(on_loop(self.find_communes))

    def _identity_vigilance_rows(self) -> None:
        """« Vigilance d'identité » (RNIV), after the address: the usual path (« provisoire ») never
        goes through it."""
        self.vigilance = IdentityVigilanceBlock(
            self.form,
            self.layout_,
            self.client,
            lambda: self.wizard.patient,
            self.wizard.today,
            self._insi_found,
        )
        self.insi_button = self.vigilance.insi_button
        self.insi_text = self.vigilance.insi_text

    def _insi_found(self) -> None:
        self.wizard.changed()
        self.load()

    def _offer_box(self) -> QWidget:
        """A phone typed on « Recherche patient » that the known patient has not got: where it goes."""
        box = QWidget()
        box.setObjectName("offered_phone_box")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.offer_text = QLabel()
        self.offer_text.setObjectName("error_offered_phone")
        self.offer_text.setWordWrap(True)
        self.offer_text.setStyleSheet("color: #b3261e;")
        column.addWidget(self.offer_text)
        row = QHBoxLayout()
        self.offer_buttons: dict[str, QPushButton] = {}
        for where, text, keys in (
            (PHONE, "Remplacer le téléphone", "Alt+M"),
            (PHONE2, "Ajouter en Téléphone 2", "Alt+J"),
            (NOT_KEPT, "Ne pas l'enregistrer", "Alt+G"),
        ):
            button = QPushButton(f"{text} ({keys})")
            button.setObjectName(f"offered_phone_{where or 'not_kept'}")
            button_shortcut(button, keys)
            button.clicked.connect(lambda _checked=False, w=where: self.keep_offered_phone(w))
            row.addWidget(button)
            self.offer_buttons[where] = button
        row.addStretch(1)
        column.addLayout(row)
        box.setVisible(False)
        return box

    def keep_offered_phone(self, where: str) -> None:
        self.wizard.patient.keep_offered_phone(where)
        self.wizard.errors.pop("offered_phone", None)
        self.wizard.changed()
        self.load()
        phone = self.form.widgets["phone2" if where == PHONE2 else "phone"]
        phone.setFocus()

    def _show_offer(self) -> None:
        offered = self.wizard.patient.offered_phone
        self.offer_text.setText(OFFERED_PHONE.format(number=offered) if offered else "")
        self.offer.setVisible(bool(offered))

    def write(self, name: str, value: str) -> None:
        super().write(name, value)
        if name == "city":
            self._timer.start()
        if name in ("nir", "sex", "birth_date"):
            self._nir_feedback()
        if name in REFRESHING_FIELDS:
            self.vigilance.refresh()

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        first = super().show_errors(errors)
        self._nir_feedback()  # the NIR's message once: under the field when « Suivant » said it
        return first

    def _nir_feedback(self) -> None:
        feedback = self.wizard.patient.nir_feedback(self.wizard.today())
        notice = self.wizard.patient.notices.get("nir", "")
        if feedback and not self.form.errors["nir"].isHidden():
            self.nir_check.setText(notice)
        elif feedback:
            self.nir_check.setText(f"<span style='color:#b3261e'>{feedback}</span>")
        elif self.wizard.patient.nir.strip():
            self.nir_check.setText(f"<span style='color:#1b6e20'>Clé du NIR correcte</span> {notice}")
        else:
            self.nir_check.setText(notice)

    async def find_communes(self) -> None:
        text = self.wizard.patient.city.strip()
        if self.client is None or len(text) < 2:
            return
        try:
            found = await self.client.communes(text, limit=15)
        except ApiProblem:
            return
        self._communes = {f"{c.name} ({', '.join(c.postal_codes[:1])})": c for c in found}
        self._model.setStringList(list(self._communes))
        if self.city.hasFocus():
            self.completer.complete()

    def _choose(self, text: str) -> None:
        commune = self._communes.get(text)
        if commune is None:
            return
        self.wizard.patient.choose_commune(commune)
        self.wizard.errors.pop("city", None)
        self.wizard.changed()
        self.load()

    async def prepare(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            await self.find_communes()

    def load(self) -> None:
        self.vigilance.refresh()
        super().load()
        self._nir_feedback()
        self._show_offer()

    def first_field(self) -> QWidget | None:
        """The first mandatory field still empty (a new patient arrives with the search's traits:
        « Sexe » next, not « Téléphone » again); the first field when nothing is missing. A new
        phone typed for a known patient comes first: where it goes."""
        if self.wizard.patient.offered_phone:
            return self.offer_buttons[PHONE]
        for name in MANDATORY:
            if not str(getattr(self.wizard.patient, name)).strip() and name in self.form.widgets:
                return self.form.widgets[name]
        return super().first_field()
