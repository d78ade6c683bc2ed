"""The card reader in the UI: its state in the status bar; a CPS read fills the requester, a Carte
Vitale with one beneficiary fills the patient search of the wizard in front."""

from __future__ import annotations

import logging
from collections.abc import Callable

from cardreader.cards.cps import CpsCard
from cardreader.cards.vitale2 import VitaleCard
from cardreader.events import (
    CardError,
    CardEvent,
    CardInserted,
    CardRead,
    CardRemoved,
    ReaderAdded,
    ReaderRemoved,
)
from cardreader.service import CardService
from desktop.ui.status_bar import StatusBar
from desktop.ui.wizard.window import WizardWindow
from desktop.workflows.wizard import Step

log = logging.getLogger(__name__)


class CardBinding:
    def __init__(self, status: StatusBar, front_wizard: Callable[[], WizardWindow | None]) -> None:
        self.status = status
        self.front_wizard = front_wizard

    async def follow(self, service: CardService) -> None:
        while True:
            self.on_event(await service.next_event())

    def on_event(self, event: CardEvent) -> None:
        match event:
            case ReaderAdded() | CardRemoved():
                self.status.set_card_reader(f"prêt ({event.reader})")
            case ReaderRemoved():
                self.status.set_card_reader("aucun lecteur")
            case CardInserted():
                self.status.set_card_reader(f"carte insérée, lecture… ({event.reader})")
            case CardError():
                self.status.set_card_reader(event.message)
            case CardRead():
                self._read(event)

    def _read(self, event: CardRead) -> None:
        window = self.front_wizard()
        content = event.content
        if isinstance(content, CpsCard):
            holder = content.holder
            self.status.set_card_reader(f"carte CPS de {holder.last_name} {holder.first_name}")
            if window is not None and window.wizard.step is Step.CALLER:
                window.wizard.use_cps(holder)
                window.show_step()
        elif isinstance(content, VitaleCard):
            count = len(content.beneficiaries)
            self.status.set_card_reader(f"Carte Vitale : {count} bénéficiaire(s)")
            if window is not None and window.wizard.step is Step.SEARCH and count == 1:
                window.wizard.use_beneficiary(content.beneficiaries[0])
                window.show_step()
