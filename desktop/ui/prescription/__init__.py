"""A prescription's details window (the board's rows and the patient pages open it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow
    from desktop.ui.prescription.details_dialog import PrescriptionDialog

_WINDOWS = "_prescription_windows"


def open_details(window: MainWindow, prescription_id: int) -> PrescriptionDialog:
    """One details window per prescription, over the main window (brought to the front when it
    is already open), deleted on the loop once closed."""
    from desktop.ui.prescription.details_dialog import PrescriptionDialog

    windows: dict[int, PrescriptionDialog] = window.__dict__.setdefault(_WINDOWS, {})
    dialog = windows.get(prescription_id)
    if dialog is None:
        dialog = PrescriptionDialog(window.session, prescription_id, parent=window)
        windows[prescription_id] = dialog
        dialog.finished.connect(lambda _result: _closed(windows, prescription_id))
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def _closed(windows: dict[int, PrescriptionDialog], prescription_id: int) -> None:
    dialog = windows.pop(prescription_id, None)
    if dialog is not None:
        dialog.deleteLater()
