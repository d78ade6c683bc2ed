"""« Mon état » on the hotline (issue 19): the pause's reason, asked from the platform's list, and
the « Post-appel » window — the call's qualification, « Prêt » to end the wrap-up early, the time
left before it ends by itself (the server's ``wrap_up_seconds``).

The wrap-up window opens without taking the focus (the operator may be typing a case from the
call): « Qualifier l'appel » (Ctrl+Maj+Q) brings it to the front. In it: ↑ ↓ choose, Entrée records
the qualification, « Prêt » (Alt+P) records the chosen one and ends « Post-appel »; Échap closes it
(the wrap-up still ends after its delay)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.state.agent_state import caller_shown
from desktop.state.call_flow import CallView
from desktop.ui.keys import button_shortcut
from shared.schemas.hotline import Code

QUALIFY_KEYS = "Ctrl+Shift+Q"
NO_REASONS = "Motifs de pause indisponibles (serveur central injoignable) : pause sans motif."


def _code_list(codes: list[Code], name: str) -> QListWidget:
    listing = QListWidget()
    listing.setObjectName(name)
    for code in codes:
        item = QListWidgetItem(code.label)
        item.setData(Qt.ItemDataRole.UserRole, code.code)
        listing.addItem(item)
    return listing


def _chosen(listing: QListWidget) -> str | None:
    item = listing.currentItem()
    return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None and item.isSelected() else None


class PauseReasonDialog(QDialog):
    """« Pause »: the reason, from the platform's list (Entrée chooses, Échap keeps the state)."""

    chosen = Signal(object)  # the reason's code (None: no list could be read)

    def __init__(self, reasons: list[Code], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pause_reason")
        self.setWindowTitle("Pause — motif")
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Motif de la pause :" if reasons else NO_REASONS))
        self.reasons = _code_list(reasons, "pause_reasons")
        self.reasons.setVisible(bool(reasons))
        if reasons:
            self.reasons.setCurrentRow(0)
        self.reasons.itemActivated.connect(lambda _item: self.accept())
        column.addWidget(self.reasons)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("Mettre en pause", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setDefault(True)
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.reasons.setFocus()

    def accept(self) -> None:
        code = _chosen(self.reasons)
        if self.reasons.count() and code is None:
            return  # a reason is needed when there is a list
        self.chosen.emit(code)
        super().accept()


class WrapUpWindow(QDialog):
    """« Post-appel »: the call's qualification and « Prêt »."""

    qualify = Signal(str)  # the code chosen
    ready = Signal(object)  # « Prêt »: the code chosen and not yet recorded, else None

    def __init__(
        self, view: CallView, codes: list[Code], seconds: float, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wrap_up")
        self.setWindowTitle("Post-appel")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.view = view
        self.recorded: str | None = None
        self.deadline = time.monotonic() + seconds
        column = QVBoxLayout(self)
        column.addWidget(QLabel(f"<b>Post-appel</b> — appel de {caller_shown(view)}"))
        self.left = QLabel("")
        self.left.setObjectName("wrap_up_left")
        column.addWidget(self.left)
        column.addWidget(QLabel("Qualification de l'appel (↑ ↓, Entrée) :"))
        self.codes = _code_list(codes, "qualifications")
        self.codes.itemActivated.connect(lambda _item: self.record())
        column.addWidget(self.codes)
        self.outcome = QLabel("" if codes else "Liste des qualifications indisponible (serveur injoignable).")
        self.outcome.setObjectName("wrap_up_outcome")
        self.outcome.setWordWrap(True)
        column.addWidget(self.outcome)
        buttons = QDialogButtonBox()
        self.record_button = QPushButton("Qualifier (Entrée)")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.record)
        self.ready_button = QPushButton("Prêt (Alt+P)")
        self.ready_button.setObjectName("wrap_up_ready")
        self.ready_button.clicked.connect(self._ready)
        button_shortcut(self.ready_button, "Alt+P")
        buttons.addButton(self.record_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.ready_button, QDialogButtonBox.ButtonRole.AcceptRole)
        column.addWidget(buttons)
        self._tick = QTimer(self)
        self._tick.setInterval(500)
        self._tick.timeout.connect(self._show_left)
        self._tick.start()
        self._show_left()

    def _show_left(self) -> None:
        seconds = max(0, round(self.deadline - time.monotonic()))
        self.left.setText(f"Fin automatique du post-appel dans {seconds} s — « Prêt » pour la terminer")

    def bring_forward(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.codes.setFocus()

    def record(self) -> None:
        code = _chosen(self.codes)
        if code is None:
            self.outcome.setText("Choisissez une qualification dans la liste (↑ ↓).")
            return
        self.recorded = code
        self.qualify.emit(code)

    def said(self, text: str) -> None:
        self.outcome.setText(text)

    def _ready(self) -> None:
        code = _chosen(self.codes)
        self.ready.emit(code if code is not None and code != self.recorded else None)
        self.accept()
