"""The Carte Vitale chooser: the card's beneficiaries, ↑ ↓ to move, Entrée chooses, Échap cancels."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from cardreader.cards.vitale2 import Beneficiary
from desktop.state.wizard.card_use import beneficiary_line
from desktop.ui.wizard.form import ERROR_STYLE


class BeneficiaryDialog(QDialog):
    def __init__(self, beneficiaries: tuple[Beneficiary, ...], warning: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("beneficiaries")
        self.setWindowTitle("Carte Vitale — choix du bénéficiaire")
        self.beneficiaries = beneficiaries
        layout = QVBoxLayout(self)
        count = len(beneficiaries)
        intro = (
            f"{count} bénéficiaires sur cette carte : choisissez le patient."
            if count > 1
            else ("Bénéficiaire de cette carte :")
        )
        layout.addWidget(QLabel(f"{intro} (↑ ↓ puis Entrée ; Échap pour annuler)"))
        if warning:
            notice = QLabel(warning)
            notice.setObjectName("replace_warning")
            notice.setWordWrap(True)
            notice.setStyleSheet(ERROR_STYLE)
            layout.addWidget(notice)
        self.list = QListWidget()
        self.list.setObjectName("beneficiary_list")
        self.list.addItems([beneficiary_line(b) for b in beneficiaries])
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        cancel = QPushButton("Annuler (Échap)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        choose = QPushButton("Choisir (Entrée)")
        choose.setObjectName("choose")
        choose.setDefault(True)
        choose.clicked.connect(self.accept)
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        buttons.addWidget(choose)
        layout.addLayout(buttons)
        self.list.setFocus()

    def chosen(self) -> Beneficiary | None:
        row = self.list.currentRow()
        if self.result() != QDialog.DialogCode.Accepted or not 0 <= row < len(self.beneficiaries):
            return None
        return self.beneficiaries[row]

    async def ask(self) -> Beneficiary | None:
        """Shows the dialog (window-modal, the loop goes on) until the operator answers."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.finished.connect(lambda _code: None if done.done() else done.set_result(None))
        self.open()
        self.list.setFocus()
        await done
        return self.chosen()
