"""The application's icon and Qt's own texts in French (standard buttons of every dialog)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop.ui.app_identity import icon_path, install_identity


def test_icon_and_french_standard_buttons(qapp: QApplication):
    translator = install_identity(qapp)
    try:
        assert icon_path() is not None
        assert not qapp.windowIcon().isNull()
        assert translator is not None
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Yes
        )
        assert sorted(b.text().replace("&", "") for b in buttons.buttons()) == ["Annuler", "Oui"]
        buttons.deleteLater()
    finally:
        if translator is not None:
            qapp.removeTranslator(translator)
