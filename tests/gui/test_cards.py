"""Card events in the UI (the events of cardreader.events, as a CardReader delivers them): the
reader's state in the status bar, a CPS filling the requester, a Carte Vitale the patient search."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from cardreader.cards.atr import CardKind
from cardreader.cards.cps import CpsCard, CpsHolder
from cardreader.cards.vitale2 import Beneficiary, VitaleCard
from cardreader.errors import MESSAGES, CardErrorCode
from cardreader.events import CardInserted, CardRead, ReaderAdded, ReaderRemoved
from cardreader.fake import FakeCardReader
from desktop.state.wizard.wizard import Step
from desktop.ui.beneficiary_dialog import BeneficiaryDialog
from desktop.ui.card_binding import CardBinding
from desktop.ui.wizard.caller_page import CallerPage
from desktop.ui.wizard.search_page import SearchPage
from desktop.ui.wizard.window import WizardWindow
from tests.support.desktop import operator_account, wait_until
from tests.support.gui import activate, close_main_window, line_text, open_main_window, press, run
from tests.support.live import LiveServer

HOLDER = CpsHolder(
    last_name="MARTIN",
    first_name="Claire",
    national_id="810001045367",
    id_type="rpps",
    id_number="10001045367",
    id_valid=True,
    id_problem=None,
    profession_code="10",
    profession_label="Médecin",
)
BENEFICIARY = Beneficiary(
    last_name="DURAND",
    first_name="Lucie",
    birth_date="19520809",
    birth_date_iso="1952-08-09",
    nationality="FRA",
    nir="252089122812345",
    nir_valid=False,
    nir_problem="Clé invalide",
)


def test_reader_state_cps_and_vitale(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        cards = main.cards
        cards.on_event(ReaderAdded("Lecteur USB 00"))
        assert main.status.card.text() == "Lecteur de carte : prêt (Lecteur USB 00)"
        window = main.new_case()
        cards.on_event(CardInserted("Lecteur USB 00", b"\x3b", CardKind.CPS3))
        assert "carte insérée" in main.status.card.text()
        cards.on_event(CardRead("Lecteur USB 00", CpsCard(CardKind.CPS3, b"\x3b", HOLDER), 12))
        caller = window.wizard.caller
        assert (caller.requester_name, caller.requester_rpps) == ("MARTIN Claire", "10001045367")
        assert not caller.requester_is_caller
        assert line_text(caller_page(window), "requester_name") == "MARTIN Claire"  # shown at once

        window.wizard.step = Step.SEARCH
        window.show_step()
        cards.on_event(CardRead("Lecteur USB 00", VitaleCard(b"\x3b", (BENEFICIARY,)), 30))
        assert main.status.card.text() == "Lecteur de carte : Carte Vitale : 1 bénéficiaire(s)"
        search = search_page(window)
        assert (line_text(search, "last_name"), line_text(search, "birth_date")) == ("DURAND", "09/08/1952")
        # the card's traits are searched like typed ones (and the search ends before the window closes)
        await wait_until(lambda: "trouvé" in search.status.text(), what="the live search of the traits")
        cards.on_event(ReaderRemoved("Lecteur USB 00"))
        assert main.status.card.text() == "Lecteur de carte : aucun lecteur"
        await close_main_window(main)

    run(loop, scenario(), timeout=30)


def test_card_button_errors_and_a_family_read_on_another_step(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    """Events as a CardReader delivers them (the real pcscd stack: test_cards_pcscd.py)."""
    username, password, _operator = operator_account(gui_server)
    sister = dataclasses.replace(
        BENEFICIARY, first_name="Rose", birth_date="19550101", birth_date_iso="1955-01-01"
    )

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        cards = main.cards
        window = main.new_case()
        await activate(window)
        caller = caller_page(window)
        # no reader followed (the application could not start one): said next to the button
        await press(window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
        assert caller.card.message.text() == MESSAGES[CardErrorCode.NO_SERVICE]
        cards.unavailable = ""
        cards.reader = FakeCardReader()  # never started: only the binding's reader list is consulted
        await press(window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
        assert caller.card.message.text() == MESSAGES[CardErrorCode.NO_READER]
        assert caller.card.is_error

        # a requester typed, then a CPS: asked first; « Non » keeps what was typed
        window.wizard.set_field(Step.CALLER, "requester_is_caller", False)
        window.wizard.set_field(Step.CALLER, "requester_name", "DURAND Luc")
        cards.on_event(CardRead("Lecteur USB 00", CpsCard(CardKind.CPS3, b"\x3b", HOLDER), 12))
        question = await wait_until_dialog(cards)
        assert "DURAND Luc" in question.text()
        question.button(QMessageBox.StandardButton.No).click()
        await wait_until(lambda: cards.dialog is None, what="the question closed")
        assert window.wizard.caller.requester_name == "DURAND Luc"

        # a two-beneficiary card read on « Patient » after a new patient was chosen: the chooser
        # warns, and choosing goes back to « Recherche patient » with the traits replaced
        for name, value in (("phone", "01 99 00 00 07"), ("last_name", "MARTIN"), ("first_name", "Paul")):
            window.wizard.set_field(Step.SEARCH, name, value)
        window.wizard.set_field(Step.SEARCH, "birth_date", "01/02/1960")
        window.wizard.choose_new_patient()
        window.wizard.step = Step.PATIENT
        window.show_step()
        cards.on_event(CardRead("Lecteur USB 00", VitaleCard(b"\x3b", (BENEFICIARY, sister)), 30))
        chooser = await wait_until_dialog(cards)
        assert isinstance(chooser, BeneficiaryDialog)
        warning = chooser.findChild(QLabel, "replace_warning")
        assert warning is not None
        await press(chooser, Qt.Key.Key_Down)
        await press(chooser, Qt.Key.Key_Enter)
        await wait_until(lambda: window.wizard.step is Step.SEARCH, what="back to the search step")
        search = search_page(window)
        assert (line_text(search, "first_name"), line_text(search, "birth_date")) == ("Rose", "01/01/1955")
        assert line_text(search, "phone") == "01 99 00 00 07"  # not on the card: kept
        assert not window.wizard.search.new_patient
        await wait_until(lambda: "trouvé" in search.status.text(), what="the live search of the traits")
        await close_main_window(main)

    run(loop, scenario(), timeout=30)


async def wait_until_dialog(cards: CardBinding) -> Any:
    await wait_until(
        lambda: cards.dialog is not None and cards.dialog.isVisible(), what="the card's question"
    )
    return cards.dialog


def search_page(window: WizardWindow) -> SearchPage:
    page = window.pages[Step.SEARCH]
    assert isinstance(page, SearchPage)
    return page


def caller_page(window: WizardWindow) -> CallerPage:
    page = window.pages[Step.CALLER]
    assert isinstance(page, CallerPage)
    return page
