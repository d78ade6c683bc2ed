"""« Vigilance d'identité » (RNIV), shared by the wizard's « Patient » page and the patient form
outside a case (« Nouveau patient », « Modifier »): the document checked (a minor's family document
with the parent seen), « Récupérer l'INS » when this deployment's server can ask the INSi teleservice
(otherwise why not), the evidence already on file, and the « Statut INS » chooser narrowed to what
the evidence supports. The rules are Qt-free (desktop/state/wizard/identity_vigilance.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPushButton

from desktop.state.wizard.identity_vigilance import apply_insi, insi_query, recorded_evidence
from desktop.state.wizard.patient_step import DOCUMENT_TRAITS, PatientStep
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem
from desktop.sync.insi_api import insi_availability, insi_search
from desktop.ui.prescription.widgets import problem_text
from desktop.ui.tasks import on_loop
from desktop.ui.wizard.form import BoundForm
from shared.schemas.identity_evidence import IdentityEvidenceOut
from shared.validation.identity_vigilance import HIGH_TRUST_DOCUMENTS, IdentityDocument

CHOOSE = ("", "— choisir —")
DOCUMENTS = [("", "Aucune"), *[(d.value, d.label) for d in IdentityDocument]]
PARENT_DOCUMENTS = [CHOOSE, *[(d.value, d.label) for d in IdentityDocument if d in HIGH_TRUST_DOCUMENTS]]
PARENT_FIELDS = ("parent_last_name", "parent_first_name", "parent_document")
# An edit of one of these may change what the chooser offers (the document on file holds only while
# the strict traits are unchanged) or whether the parent's rows are asked for.
REFRESHING_FIELDS = frozenset({"document_type", *PARENT_FIELDS, *DOCUMENT_TRAITS})
NOTHING_FOUND = "Le téléservice INSi n'a trouvé aucune identité pour ces traits"
ERROR_SPAN = "<span style='color:#b3261e'>{}</span>"


class IdentityVigilanceBlock(QObject):
    """The block's rows, added to `layout` through `form` (whose ``identity_status`` combo it narrows).

    `step` gives the patient step shown (the wizard may replace it); `changed` is called after the
    INSi answer filled the step, for the owner to show the values again (and save its draft)."""

    def __init__(
        self,
        form: BoundForm,
        layout: QFormLayout,
        client: ApiClient | None,
        step: Callable[[], PatientStep],
        today: Callable[[], date],
        changed: Callable[[], None],
    ) -> None:
        super().__init__(layout.parentWidget())
        self.form = form
        self.layout = layout
        self.client = client
        self.step = step
        self.today = today
        self.changed = changed
        layout.addRow(QLabel("<b>Vigilance d'identité</b>"))
        self.recorded = QLabel()
        self.recorded.setObjectName("identity_evidence_recorded")
        self.recorded.setWordWrap(True)
        layout.addRow(self.recorded)
        self.recorded.hide()
        # The Carte Vitale is not an identity document: only a document seen here.
        form.combo("document_type", "Pièce d'identité vérifiée", DOCUMENTS)
        form.line("parent_last_name", "Nom du parent")
        form.line("parent_first_name", "Prénom du parent")
        form.combo("parent_document", "Pièce du parent", PARENT_DOCUMENTS)
        self.insi_button = QPushButton("Récupérer l'INS (téléservice INSi)")
        self.insi_button.setObjectName("insi_search")
        self.insi_button.clicked.connect(on_loop(self.recover_ins))
        self.insi_text = QLabel()
        self.insi_text.setObjectName("insi_notice")
        self.insi_text.setWordWrap(True)
        layout.addRow(self.insi_button, self.insi_text)
        if client is not None:
            QTimer.singleShot(0, on_loop(self.check_insi))

    async def check_insi(self) -> None:
        """Whether this deployment's server can ask the teleservice (without it, « validée » at most)."""
        if self.client is None:
            return
        try:
            available = (await insi_availability(self.client)).available
        except ApiProblem:
            available = False
        self.step().insi_available = available
        self.refresh()

    async def recover_ins(self) -> None:
        """« Récupérer l'INS »: the teleservice searched by the traits typed; its answer fills them."""
        patient = self.step()
        if self.client is None or not patient.insi_available:
            return
        try:
            found = await insi_search(self.client, insi_query(patient, self.today()))
        except ApiProblem as problem:
            self.insi_text.setText(ERROR_SPAN.format(problem_text(problem)))
            return
        except ValueError as problem:  # the birth date is not a date yet
            self.insi_text.setText(ERROR_SPAN.format(problem))
            return
        if found is None:
            self.insi_text.setText(NOTHING_FOUND)
            return
        apply_insi(patient, found)
        self.changed()

    def show_recorded(self, evidence: IdentityEvidenceOut | None) -> None:
        """The evidence the patient's file holds (who checked what, when), when editing."""
        text = recorded_evidence(evidence) if evidence is not None else ""
        self.recorded.setText(text)
        self.recorded.setVisible(bool(text))

    def refresh(self) -> None:
        """The status chooser offers only what the evidence supports; the parent's rows for a minor's
        family document; why the INS cannot be recovered here."""
        patient = self.step()
        chooser = self.form.widgets["identity_status"]
        offered = [(s.value, s.label) for s in patient.offered_statuses()]
        if isinstance(chooser, QComboBox) and [chooser.itemData(i) for i in range(chooser.count())] != [
            value for value, _ in offered
        ]:
            chooser.blockSignals(True)
            chooser.clear()
            for value, label in offered:
                chooser.addItem(label, value)
            chooser.setCurrentIndex(max(chooser.findData(patient.identity_status), 0))
            chooser.blockSignals(False)
        for name in PARENT_FIELDS:
            row = self.form.widgets[name].parentWidget()
            if row is not None:
                self.layout.setRowVisible(row, patient.needs_parent())
        notice = patient.insi_notice()
        self.insi_text.setText(notice or ("INS récupérée" if patient.insi_reference else ""))
        self.insi_button.setEnabled(patient.insi_available)
        self.insi_button.setVisible(patient.insi_available)
