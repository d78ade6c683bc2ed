"""The patient page: identity, address, usual professionals, the timeline (« Horodatage »; a line
about a prescription opens its details), « Déclenchement pour ce patient », « Modifier » and
« Nouveau patient » (desktop/ui/patients/patient_form.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.state.patient_files import address_lines, header, identity_lines, timeline_lines, usual_lines
from desktop.state.times import zone_of_commune
from desktop.sync.patient_files_api import PatientFile
from desktop.ui.keys import button_shortcut


def _fill_form(layout: QFormLayout, rows: list[tuple[str, str]]) -> None:
    while layout.rowCount():
        layout.removeRow(0)
    for label, value in rows:
        text = QLabel(value)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setWordWrap(True)
        layout.addRow(f"{label} :", text)


class PatientPage(QWidget):
    back = Signal()
    new_case = Signal(int)  # the patient id: « Déclenchement pour ce patient »
    open_prescription = Signal(int)
    edit = Signal(object)  # the PatientOut shown: « Modifier »
    new_patient = Signal()  # « Nouveau patient »

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("patient_page")
        self.file: PatientFile | None = None
        column = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back_button = QPushButton("← Fiches patients (Échap)")
        self.back_button.setObjectName("patient_back")
        button_shortcut(self.back_button, "Escape")
        self.back_button.clicked.connect(self.back.emit)
        top.addWidget(self.back_button)
        top.addStretch(1)
        self.create_button = QPushButton("Nouveau patient (Alt+N)")
        self.create_button.setObjectName("patient_create")
        button_shortcut(self.create_button, "Alt+N")
        self.create_button.clicked.connect(self.new_patient.emit)
        top.addWidget(self.create_button)
        self.edit_button = QPushButton("Modifier (Alt+M)")
        self.edit_button.setObjectName("patient_edit")
        button_shortcut(self.edit_button, "Alt+M")
        self.edit_button.clicked.connect(self._edit)
        top.addWidget(self.edit_button)
        self.new_case_button = QPushButton("Déclenchement pour ce patient (Alt+D)")
        self.new_case_button.setObjectName("patient_new_case")
        button_shortcut(self.new_case_button, "Alt+D")
        self.new_case_button.clicked.connect(self._new_case)
        top.addWidget(self.new_case_button)
        column.addLayout(top)
        self.title = QLabel()
        self.title.setObjectName("patient_header")
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        blocks = QHBoxLayout()
        identity_box = QGroupBox("Identité")
        self.identity = QFormLayout(identity_box)
        address_box = QGroupBox("Adresse")
        self.address = QFormLayout(address_box)
        usual_box = QGroupBox("Professionnels habituels")
        usual_column = QVBoxLayout(usual_box)
        self.usual = QListWidget()
        self.usual.setObjectName("patient_usual")
        usual_column.addWidget(self.usual)
        for box in (identity_box, address_box, usual_box):
            blocks.addWidget(box, 1)
        column.addLayout(blocks)
        column.addWidget(QLabel("<b>Horodatage</b> (double-clic sur un déclenchement : ses détails)"))
        self.timeline = QTreeWidget()
        self.timeline.setObjectName("patient_timeline")
        self.timeline.setHeaderLabels(["Date", "Événement", "Par"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setWordWrap(True)
        self.timeline.setColumnWidth(0, 110)
        self.timeline.setColumnWidth(1, 520)
        self.timeline.itemActivated.connect(self._activated)
        column.addWidget(self.timeline, 1)

    def show_file(self, file: PatientFile) -> None:
        self.file = file
        patient = file.patient
        self.title.setText(f"<h3>{header(patient)}</h3>")
        _fill_form(self.identity, identity_lines(patient))
        _fill_form(self.address, address_lines(patient))
        self.usual.clear()
        self.usual.addItems(usual_lines(patient))
        self.timeline.clear()
        zone = zone_of_commune(patient.commune_insee or patient.postal_code)
        lines = zip(timeline_lines(file.timeline, zone), file.timeline, strict=True)
        for (when, label, prescription_id), entry in lines:
            item = QTreeWidgetItem([when, label, entry.by or ""])
            item.setToolTip(1, label)
            if prescription_id is not None:
                item.setData(0, Qt.ItemDataRole.UserRole, prescription_id)
            self.timeline.addTopLevelItem(item)
        if not file.timeline:
            self.timeline.addTopLevelItem(QTreeWidgetItem(["", "Aucun événement", ""]))

    def _edit(self) -> None:
        if self.file is not None:
            self.edit.emit(self.file.patient)

    def _new_case(self) -> None:
        if self.file is not None:
            self.new_case.emit(self.file.patient.id)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        prescription_id = item.data(0, Qt.ItemDataRole.UserRole)
        if prescription_id:
            self.open_prescription.emit(int(prescription_id))
