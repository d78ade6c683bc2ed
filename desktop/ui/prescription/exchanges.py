"""The details' exchange tabs: comments with their tag (« Ajouter un commentaire / un tag ») and
documents (« Limitation à 2 Mo par fichier. Seuls les fichiers de type JPG, JPEG, PNG et PDF sont
acceptés »: checked here before sending, the server checks again; open = a temporary copy shown
by the system's viewer)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.attachments import read_attachment
from desktop.state.attachments import FILE_DIALOG_FILTER, safe_filename, size_text
from desktop.state.prescription_actions import FormRefused, comment_body
from desktop.state.prescription_timeline import local_time
from desktop.state.times import zone_named
from desktop.sync.prescription_api import PrescriptionApi, PrescriptionDetails
from desktop.ui.file_dialogs import file_dialog
from desktop.ui.keys import button_shortcut, enter_submits
from desktop.ui.prescription.widgets import (
    MessageLine,
    alive,
    field_error,
    request_action,
    show_field_error,
)
from desktop.ui.tasks import spawn
from shared.validation import ValidationFailure

Reload = Callable[[], None]
DOCUMENT_RULE = (
    "Limitation à 2 Mo par fichier. Seuls les fichiers de type JPG, JPEG, PNG et PDF sont acceptés."
)


class CommentsTab(QWidget):
    def __init__(self, api: PrescriptionApi, prescription_id: int, reload: Reload) -> None:
        super().__init__()
        self.api = api
        self.prescription_id = prescription_id
        self.reload = reload
        column = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setObjectName("comments")
        self.list.setWordWrap(True)
        column.addWidget(self.list)
        column.addWidget(QLabel("<b>Ajouter un commentaire / un tag</b>"))
        row = QHBoxLayout()
        self.text_error = field_error("comment_text")
        self.tag_error = field_error("comment_tag")
        self.text = QLineEdit()
        self.text.setObjectName("comment_text")
        self.text.setPlaceholderText("Commentaire…")
        self.text.textEdited.connect(lambda _t: show_field_error(self.text_error, None))
        self.tag = QLineEdit()
        self.tag.setObjectName("comment_tag")
        self.tag.setPlaceholderText("Tag… (Facultatif)")
        self.tag.setMaximumWidth(180)
        self.add = QPushButton("+ Ajouter")
        self.add.setObjectName("comment_add")
        self.add.clicked.connect(lambda: spawn(self.submit()))
        enter_submits(self.text, self.add.click)
        enter_submits(self.tag, self.add.click)
        row.addWidget(self.text, 1)
        row.addWidget(self.tag)
        row.addWidget(self.add)
        column.addLayout(row)
        column.addWidget(self.text_error)
        column.addWidget(self.tag_error)
        self.message = MessageLine("comment_message")
        column.addWidget(self.message)

    def show_details(self, details: PrescriptionDetails) -> None:
        self.list.clear()
        zone = zone_named(details.prescription.intervention_tz)
        for comment in details.comments:
            tag = f" [{comment.tag}]" if comment.tag else ""
            self.list.addItem(f"{local_time(comment.at, zone)} ({comment.author.name}){tag} : {comment.text}")
        if not details.comments:
            self.list.addItem("Aucun commentaire")

    async def submit(self) -> bool:
        self.message.clear_message()
        try:
            body = comment_body(self.text.text(), self.tag.text())
        except FormRefused as refused:
            show_field_error(self.text_error, refused.errors.get("text"))
            show_field_error(self.tag_error, refused.errors.get("tag"))
            return False
        show_field_error(self.tag_error, None)
        if await request_action(self, self.message, self.api.add_comment(self.prescription_id, body)) is None:
            return False
        if not alive(self):
            return True  # done on the server; the window is gone
        self.text.clear()
        self.tag.clear()
        self.message.done("Commentaire ajouté")
        self.reload()
        return True


class DocumentsTab(QWidget):
    def __init__(self, api: PrescriptionApi, prescription_id: int, reload: Reload) -> None:
        super().__init__()
        self.api = api
        self.prescription_id = prescription_id
        self.reload = reload
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.file_dialog_opened: QFileDialog | None = None  # the last « Ajouter » dialog (tests)
        column = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setObjectName("documents")
        self.list.itemActivated.connect(lambda item: self._open_item(item))
        column.addWidget(self.list)
        rule = QLabel(DOCUMENT_RULE)
        rule.setWordWrap(True)
        column.addWidget(rule)
        row = QHBoxLayout()
        self.attach = QPushButton("Ajouter un document… (Alt+J)")
        self.attach.setObjectName("document_attach")
        button_shortcut(self.attach, "Alt+J")
        self.attach.clicked.connect(self.choose_file)
        self.open = QPushButton("Ouvrir")
        self.open.setObjectName("document_open")
        self.open.clicked.connect(lambda: self._open_item(self.list.currentItem()))
        row.addWidget(self.attach)
        row.addWidget(self.open)
        row.addStretch(1)
        column.addLayout(row)
        self.message = MessageLine("document_message")
        column.addWidget(self.message)

    def show_details(self, details: PrescriptionDetails) -> None:
        self.list.clear()
        zone = zone_named(details.prescription.intervention_tz)
        for document in details.documents:
            item = QListWidgetItem(
                f"{local_time(document.at, zone)} {document.filename} ({size_text(document.size)}) "
                f"— {document.author.name}"
            )
            item.setData(Qt.ItemDataRole.UserRole, (document.id, document.filename))
            self.list.addItem(item)
        self.open.setEnabled(bool(details.documents))

    def choose_file(self) -> QFileDialog:
        """Qt's dialog in French, in the user's documents folder; the file chosen is attached."""
        dialog = file_dialog(self, "Ajouter un document à la fiche", FILE_DIALOG_FILTER)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: spawn(self.attach_file(Path(path))) if path else None)
        dialog.open()
        self.file_dialog_opened = dialog
        return dialog

    async def attach_file(self, path: Path) -> bool:
        """Checked first (type by content, 2 Mo): a refused file is never sent."""
        self.message.clear_message()
        try:
            attachment = read_attachment(path)
        except ValidationFailure as refused:
            self.message.error(refused.message)
            return False
        refusal = f"« {path.name} » refusé : "
        done = await request_action(
            self, self.message, self.api.attach(self.prescription_id, attachment), refusal
        )
        if done is None:
            return False
        if not alive(self):
            return True  # done on the server; the window is gone
        self.message.done(f"Document ajouté : {done.value.filename}")
        self.reload()
        return True

    def _open_item(self, item: QListWidgetItem | None) -> None:
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            document_id, filename = item.data(Qt.ItemDataRole.UserRole)
            spawn(self.open_document(int(document_id), str(filename)))

    async def open_document(self, document_id: int, filename: str) -> Path | None:
        """Downloads the document to a private temporary folder (removed with the window) and
        hands it to the system's viewer."""
        done = await request_action(self, self.message, self.api.download(self.prescription_id, document_id))
        if done is None or not alive(self):
            return None
        data = done.value
        if self.folder is None:
            self.folder = tempfile.TemporaryDirectory(prefix="centrale-documents-")
        path = Path(self.folder.name) / f"{document_id}-{safe_filename(filename)}"
        path.write_bytes(data)
        self.open_url(QUrl.fromLocalFile(str(path)))
        return path

    def cleanup(self) -> None:
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None
