"""« Valider l'inscription » (with the network to join when the one typed is new) and « Refuser
l'inscription » (a reason is mandatory: the applicant receives it), and the pièce justificative's
pane: an image shown, a PDF rendered with QtPdf, anything else saved and opened."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QStackedWidget, QVBoxLayout, QWidget

from desktop.state.back_office.home import save_file
from desktop.state.back_office.registrations import (
    IMAGE_TYPES,
    PDF_TYPE,
    NetworkChoice,
    approval_body,
    needs_network_choice,
    rejection_reason,
)
from desktop.ui.back_office.user_dialogs import FormDialog
from shared.schemas.registrations import RegistrationOut

try:  # QtPdf ships with PySide6's add-ons; without it a PDF is saved and opened instead
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    HAS_QT_PDF = True
except ImportError:  # pragma: no cover - depends on the PySide6 build
    HAS_QT_PDF = False

Approve = Callable[[dict[str, object]], Awaitable[str]]
Reject = Callable[[str], Awaitable[str]]
IMAGE_WIDTH = 520


def who(registration: RegistrationOut) -> str:
    return f"{registration.last_name.upper()} {registration.first_name}"


class ApproveDialog(FormDialog):
    def __init__(
        self, registration: RegistrationOut, choices: list[NetworkChoice], submit: Approve, parent: QWidget
    ) -> None:
        super().__init__(f"Valider l'inscription — {who(registration)}", parent)
        self.setObjectName("approve_dialog")
        self.registration, self.submit = registration, submit
        self.buttons.button(self.buttons.StandardButton.Save).setText("Valider")
        self.form.addRow(
            QLabel(
                "Le compte sera créé (rayon 10 km, « Disponible C&V ») ; "
                "le professionnel sera prévenu par SMS et par e-mail."
            )
        )
        self.network = QComboBox()
        self.network.setObjectName("approve_network")
        if needs_network_choice(registration):
            self.network.addItem("— choisissez —", None)
            for choice in choices:
                self.network.addItem(choice.label, choice.value)
            typed = f"Réseau indiqué « {registration.network_name} », inconnu : "
            self.form.addRow(QLabel(typed + "rattacher à un réseau existant, le créer, ou aucun"))
            self.form.addRow("&Réseau", self.network)
            self.network.setFocus()
        else:
            self.network.setVisible(False)

    async def run(self) -> str:
        return await self.submit(approval_body(self.registration, self.network.currentData()))


class RejectDialog(FormDialog):
    def __init__(self, registration: RegistrationOut, submit: Reject, parent: QWidget) -> None:
        super().__init__(f"Refuser l'inscription — {who(registration)}", parent)
        self.setObjectName("reject_dialog")
        self.submit = submit
        self.buttons.button(self.buttons.StandardButton.Save).setText("Refuser")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reject_reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Le motif est envoyé au demandeur par SMS et par e-mail")
        self.form.addRow("&Motif (obligatoire)", self.reason)
        self.reason.setFocus()

    async def run(self) -> str:
        return await self.submit(rejection_reason(self.reason.toPlainText()))


class DocumentPane(QStackedWidget):
    """What the reviewer sees of the pièce justificative. `shown` says how: « image », « pdf »,
    « enregistrée » (opened outside), « absente » or « illisible »."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("registration_document")
        self.note = QLabel("Choisissez une inscription")
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image = QLabel()
        self.image.setObjectName("document_image")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.note)
        self.addWidget(self.image)
        self.pdf_view: QWidget | None = None
        self._pdf_bytes = QByteArray()
        self._pdf_buffer: QBuffer | None = None
        if HAS_QT_PDF:
            self.pdf_document = QPdfDocument(self)
            view = QPdfView(self)
            view.setObjectName("document_pdf")
            view.setPageMode(QPdfView.PageMode.MultiPage)
            view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            view.setDocument(self.pdf_document)
            self.pdf_view = view
            self.addWidget(view)
        self.shown = "absente"
        self.saved_to: Path | None = None

    def say(self, text: str, shown: str) -> None:
        self.note.setText(text)
        self.setCurrentWidget(self.note)
        self.shown = shown

    def show_document(self, data: bytes, content_type: str, file_name: str) -> None:
        kind = content_type.split(";")[0].strip().lower()
        if kind in IMAGE_TYPES:
            pixmap = QPixmap()
            if pixmap.loadFromData(data):
                if pixmap.width() > IMAGE_WIDTH:
                    pixmap = pixmap.scaledToWidth(IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation)
                self.image.setPixmap(pixmap)
                self.setCurrentWidget(self.image)
                self.shown = "image"
                return
        elif kind == PDF_TYPE and self.pdf_view is not None and self._load_pdf(data):
            self.setCurrentWidget(self.pdf_view)
            self.shown = "pdf"
            return
        path = self.save_and_open(data, file_name)
        text = f"Pièce non affichable ici : enregistrée et ouverte avec l'application du poste ({path})"
        self.say(text, "enregistrée")

    def _load_pdf(self, data: bytes) -> bool:
        self.pdf_document.close()
        self._pdf_bytes = QByteArray(data)
        self._pdf_buffer = QBuffer(self._pdf_bytes, self)
        self._pdf_buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf_document.load(self._pdf_buffer)
        ready = self.pdf_document.status() == QPdfDocument.Status.Ready
        return bool(ready and self.pdf_document.pageCount() > 0)

    def save_and_open(self, data: bytes, file_name: str) -> Path:
        """Written in a private temporary folder (mode 0600), then handed to the desktop's viewer."""
        folder = Path(tempfile.mkdtemp(prefix="centrale-piece-"))
        path = folder / file_name
        save_file(path, data)
        self.saved_to = path
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path


def make_column(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        column.addWidget(widget)
    return holder
