"""The card reader in the UI: its state in the status bar, the card buttons of the wizard pages,
and what a card read does to the wizard in front.

- A Carte Vitale fills « Recherche patient »: one beneficiary at once, several through the chooser
  (``BeneficiaryDialog``); when the card would replace traits the operator typed (or the patient
  already chosen), the chooser is shown even for one beneficiary, with the warning: it is the
  question. Past « Recherche patient », the wizard goes back to it.
- A CPS fills the requester on « Appelant » (asked first when another requester was typed).
- Every error (no pcscd, no reader, no card, unknown card, card pulled mid-read, unreadable card)
  is written in French next to the card button of the page in front, and in the status bar;
  nothing typed is touched.
The rules live in ``desktop.state.wizard.card_use`` (Qt-free, unit-tested). The reader is whichever
``cardreader.api.CardReader`` the application started (``follow``); « Paramètres » lists its readers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from cardreader.api import CardReader
from cardreader.cards.cps import CpsCard, CpsHolder
from cardreader.cards.vitale2 import Beneficiary, VitaleCard
from cardreader.errors import MESSAGES, CardErrorCode
from cardreader.events import (
    CardError,
    CardEvent,
    CardInserted,
    CardRead,
    CardRemoved,
    ReaderAdded,
    ReaderRemoved,
)
from desktop.state.wizard.card_use import (
    apply_beneficiary,
    beneficiary_line,
    cps_question,
    cps_replaces_typing,
    vitale_plan,
)
from desktop.state.wizard.wizard import Step
from desktop.ui.beneficiary_dialog import BeneficiaryDialog
from desktop.ui.card_button import CardButton
from desktop.ui.status_bar import StatusBar
from desktop.ui.tasks import spawn
from desktop.ui.wizard.caller_page import CallerPage
from desktop.ui.wizard.search_page import SearchPage
from desktop.ui.wizard.window import WizardWindow

log = logging.getLogger(__name__)
READ_TIMEOUT_MS = 5000  # a requested read that never answers (card gone between two polls)
NO_READ_ANSWER = "La carte n'a pas répondu : retirez-la et réinsérez-la"


class CardBinding:
    def __init__(
        self,
        status: StatusBar,
        front_wizard: Callable[[], WizardWindow | None],
        chosen_reader: Callable[[], str] = str,
    ) -> None:
        self.status = status
        self.front_wizard = front_wizard
        self.chosen_reader = chosen_reader  # « Paramètres »: empty = every reader
        self.reader: CardReader | None = None
        self.unavailable = MESSAGES[CardErrorCode.NO_SERVICE]  # until a reader is followed
        self.cards: dict[str, bool] = {}  # reader → a card is in it
        self.dialog: BeneficiaryDialog | QMessageBox | None = None  # the open question (tests)
        self._requested_by: WizardWindow | None = None  # the window whose button asked for a read
        self._timeout = QTimer(status)
        self._timeout.setSingleShot(True)
        self._timeout.setInterval(READ_TIMEOUT_MS)
        self._timeout.timeout.connect(self._read_timed_out)

    # ---- wiring -----------------------------------------------------------------------------------
    def attach(self, window: WizardWindow) -> None:
        """The card buttons of a new wizard window read the card in the reader."""
        for page in window.pages:
            if isinstance(page, SearchPage | CallerPage):
                page.card.requested.connect(lambda w=window: self.read_requested(w))

    async def follow(self, reader: CardReader) -> None:
        self.reader = reader
        self.unavailable = ""
        while True:
            self.on_event(await reader.next_event())

    # ---- the card button --------------------------------------------------------------------------
    def read_requested(self, window: WizardWindow) -> None:
        """« Lire la carte »: read the card present now (its answer comes as a CardRead event)."""
        if self.reader is None or self.unavailable:
            self._tell(window, self.unavailable or MESSAGES[CardErrorCode.NO_SERVICE], error=True)
            return
        if not self.cards:
            self._tell(window, MESSAGES[CardErrorCode.NO_READER], error=True)
            return
        holding = [reader for reader, present in self.cards.items() if present]
        if not holding:
            self._tell(window, MESSAGES[CardErrorCode.NO_CARD], error=True)
            return
        self._requested_by = window
        self._tell(window, "Lecture de la carte…")
        self._timeout.start()
        self.reader.request_read(holding[0])

    def _read_timed_out(self) -> None:
        window, self._requested_by = self._requested_by, None
        if window is not None:
            self._tell(window, NO_READ_ANSWER, error=True)

    # ---- events -----------------------------------------------------------------------------------
    def follows(self, reader: str) -> bool:
        """The reader chosen in « Paramètres » (its name, or the start of it: pcscd appends a slot
        number that may change when it is plugged elsewhere), or every reader when none is."""
        chosen = self.chosen_reader()
        return not chosen or reader == chosen or reader.startswith(chosen)

    def on_event(self, event: CardEvent) -> None:
        reader = getattr(event, "reader", None)
        if isinstance(reader, str) and not self.follows(reader):
            return  # another reader of this workstation (a second one, a keyboard's reader)
        match event:
            case ReaderAdded():
                self.cards.setdefault(event.reader, False)
                self.unavailable = ""
                self.status.set_card_reader(f"prêt ({event.reader})")
            case CardRemoved():
                self.cards[event.reader] = False
                self.status.set_card_reader(f"prêt ({event.reader})")
            case ReaderRemoved():
                self.cards.pop(event.reader, None)
                self.status.set_card_reader("aucun lecteur" if not self.cards else "prêt")
            case CardInserted():
                self.cards[event.reader] = True
                self.status.set_card_reader(f"carte insérée, lecture… ({event.reader})")
                self._tell(self._target(), "Lecture de la carte…")
            case CardError():
                self._error(event)
            case CardRead():
                self._read(event)

    def _target(self) -> WizardWindow | None:
        """The window a read is for: the one whose button asked, else the wizard in front."""
        self._timeout.stop()
        window, self._requested_by = self._requested_by, None
        return window or self.front_wizard()

    def _error(self, event: CardError) -> None:
        if event.code is CardErrorCode.NO_SERVICE:
            self.cards.clear()
            self.unavailable = event.message
        elif event.reader is not None and event.code is CardErrorCode.MUTE_CARD:
            self.cards[event.reader] = True  # present, but it does not answer
        self.status.set_card_reader(event.message)
        self._tell(self._target(), event.message, error=True)

    def _tell(self, window: WizardWindow | None, text: str, error: bool = False) -> None:
        """The message next to the card button of the page in front (if it has one)."""
        button = self.card_button(window)
        if button is not None:
            button.show_message(text, error)

    @staticmethod
    def card_button(window: WizardWindow | None) -> CardButton | None:
        if window is None:
            return None
        page = window.page
        return page.card if isinstance(page, SearchPage | CallerPage) else None

    # ---- what a read does -------------------------------------------------------------------------
    def _read(self, event: CardRead) -> None:
        window = self._target()
        content = event.content
        if isinstance(content, CpsCard):
            holder = content.holder
            self.status.set_card_reader(f"carte CPS de {holder.last_name} {holder.first_name}")
            if window is None:
                return
            if window.wizard.step is not Step.CALLER:
                self._tell(window, "Carte CPS : elle remplit le demandeur à l'étape « Appelant »", error=True)
            elif cps_replaces_typing(window.wizard.caller, holder):
                spawn(self._ask_cps(window, holder))
            else:
                self._fill_requester(window, holder)
        elif isinstance(content, VitaleCard):
            count = len(content.beneficiaries)
            self.status.set_card_reader(f"Carte Vitale : {count} bénéficiaire(s)")
            if window is None or not count:
                return
            plan = vitale_plan(window.wizard, content.beneficiaries)
            if plan.apply_directly is not None:
                self._fill_search(window, plan.apply_directly)
            elif self.dialog is None:  # else a question is open: the operator answers it first
                self.dialog = BeneficiaryDialog(content.beneficiaries, plan.warning, window)
                spawn(self._choose(window, self.dialog))

    async def _ask_cps(self, window: WizardWindow, holder: CpsHolder) -> None:
        if self.dialog is not None:
            return  # one question at a time
        question = QMessageBox(
            QMessageBox.Icon.Question,
            "Carte CPS",
            cps_question(window.wizard.caller, holder),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            window,
        )
        question.setDefaultButton(QMessageBox.StandardButton.Yes)
        if await self._answer(question):
            self._fill_requester(window, holder)
        else:
            self._tell(window, "Carte CPS ignorée : le demandeur saisi est gardé")

    def _fill_requester(self, window: WizardWindow, holder: CpsHolder) -> None:
        window.wizard.use_cps(holder)
        window.page.load()
        name = f"{holder.last_name} {holder.first_name}".strip()
        self._tell(window, f"Demandeur rempli par la carte CPS : {name}")

    async def _choose(self, window: WizardWindow, dialog: BeneficiaryDialog) -> None:
        self.dialog = dialog
        try:
            chosen = await dialog.ask()
        finally:
            self.dialog = None
            dialog.deleteLater()  # on the loop, never left for the interpreter's exit
        if chosen is None:
            self._tell(window, "Carte Vitale : aucun bénéficiaire choisi, rien n'a changé")
        else:
            self._fill_search(window, chosen)

    def _fill_search(self, window: WizardWindow, chosen: Beneficiary) -> None:
        wizard = window.wizard
        step = wizard.step
        if not apply_beneficiary(wizard, chosen):
            self._tell(window, f"Carte Vitale : {beneficiary_line(chosen)} (déjà choisi)")
            return
        if wizard.step is not step:
            window.show_step()
        page = window.page
        if isinstance(page, SearchPage):
            page.card_filled()
            self._tell(window, f"Carte Vitale : {beneficiary_line(chosen)}")
        else:
            self._tell(window, f"Carte Vitale : {beneficiary_line(chosen)} à l'étape « Recherche patient »")

    async def _answer(self, question: QMessageBox) -> bool:
        self.dialog = question
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        question.finished.connect(lambda code: _settle(done, code))
        try:
            question.open()
            await done
            return question.clickedButton() is question.button(QMessageBox.StandardButton.Yes)
        finally:
            self.dialog = None
            question.deleteLater()


def _settle(future: asyncio.Future[int], value: int) -> None:
    if not future.done():
        future.set_result(value)
