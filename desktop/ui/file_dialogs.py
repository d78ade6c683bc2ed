"""Qt's own file dialogs, the same on every workstation: in French (Qt's `qtbase_fr` translation,
loaded by `app_identity.install_identity`) rather than the desktop's native dialog in the system's
language, and opening in the user's documents folder rather than the program's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget


def documents_folder() -> str:
    """The user's documents folder (« Documents »), else their home folder."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return found if found and Path(found).is_dir() else str(Path.home())


def file_dialog(parent: QWidget, title: str, name_filter: str, *, save: bool = False) -> QFileDialog:
    """A window-modal dialog to `open()`; its `fileSelected` gives the path chosen."""
    dialog = QFileDialog(parent, title, documents_folder(), name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return dialog
