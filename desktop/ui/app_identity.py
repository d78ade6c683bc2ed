"""What makes the application look like itself: its icon and Qt's own texts in French (the
standard buttons « Annuler », « Oui », the file dialogs)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)
ICON_NAME = "centrale-256.png"


def icon_path() -> Path | None:
    """The bundle's copy when frozen (installers/centrale.spec puts the icons in ``icons/``), else
    the package's."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "icons" / ICON_NAME] if bundle else []
    candidates.append(Path(__file__).parent / "icons" / ICON_NAME)
    return next((path for path in candidates if path.is_file()), None)


def install_identity(app: QApplication) -> QTranslator | None:
    """Sets the window icon and loads Qt's French translations; the translator is the application's
    child, so Qt keeps it as long as the application."""
    path = icon_path()
    if path is not None:
        app.setWindowIcon(QIcon(str(path)))
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))  # dates, sizes
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.French), "qtbase", "_", folder):
        app.installTranslator(translator)
        return translator
    log.warning("Qt's French translations not found in %s: Qt's own buttons stay in English", folder)
    return None
