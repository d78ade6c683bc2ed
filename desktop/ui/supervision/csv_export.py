"""The statistics views' CSV export: Qt's own save dialog (the same everywhere, in French, opened in
the user's documents), then the server's CSV written to the file chosen, the outcome said in the
view's status line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from desktop.sync.errors import ApiProblem
from desktop.ui.file_dialogs import documents_folder
from desktop.ui.tasks import spawn

Fetch = Callable[[], Awaitable[bytes]]


class CsvExport:
    def __init__(
        self, owner: QWidget, status: QLabel, opened: SignalInstance, exported: SignalInstance
    ) -> None:
        self.owner, self.status = owner, status
        self.opened, self.exported = opened, exported  # the view's signals: dialog shown, path written
        self.dialog: QFileDialog | None = None

    def ask(self, title: str, file_name: str, fetch: Fetch) -> QFileDialog:
        dialog = QFileDialog(self.owner, title)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter("Fichiers CSV (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.setDirectory(documents_folder())  # the user's documents, not the program's folder
        dialog.selectFile(file_name)
        dialog.fileSelected.connect(lambda path: spawn(self.write(Path(path), fetch)))
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()
        self.opened.emit(dialog)
        return dialog

    def _closed(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    async def write(self, path: Path, fetch: Fetch) -> None:
        try:
            content = await fetch()
            await asyncio.to_thread(path.write_bytes, content)
        except ApiProblem as problem:
            self.status.setText(f"Export impossible : {problem}")
            return
        except OSError as error:
            self.status.setText(
                f"Export impossible : le fichier {path} n'a pas pu être écrit ({error.strerror})"
            )
            return
        self.status.setText(f"Export enregistré : {path}")
        self.exported.emit(str(path))
