"""A prescription's details windows (the board's rows, the patient pages and the notices open them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from shared.schemas.dispatch import PrescriptionView

if TYPE_CHECKING:
    from desktop.services.session import Session
    from desktop.ui.prescription.details_dialog import PrescriptionDialog


class DetailsWindows:
    """One details window per prescription, over ``owner`` (brought to the front when it is already
    open), deleted on the loop once closed."""

    def __init__(self, session: Session, owner: QWidget) -> None:
        self.session = session
        self.owner = owner
        self.windows: dict[int, PrescriptionDialog] = {}
        # « Écrire au professionnel » (set by « Messagerie », for those who have it): (window, request)
        self.write: Callable[[QWidget, PrescriptionView], object] | None = None

    def open(self, prescription_id: int) -> PrescriptionDialog:
        from desktop.ui.prescription.details_dialog import PrescriptionDialog

        dialog = self.windows.get(prescription_id)
        if dialog is None:
            dialog = PrescriptionDialog(self.session, prescription_id, parent=self.owner, write=self.write)
            self.windows[prescription_id] = dialog
            dialog.finished.connect(lambda _result: self._closed(prescription_id))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _closed(self, prescription_id: int) -> None:
        dialog = self.windows.pop(prescription_id, None)
        if dialog is not None:
            dialog.deleteLater()
