"""Cards in the desktop through the real stack: a private pcscd with the vsmartcard vpcd driver,
our card emulator, the application's own card reader (desktop.app's PcscCardReader) and CardBinding,
the real main window.

pcscd serves the one socket libpcsclite connects to (/run/pcscd/pcscd.comm; a client may be sent
elsewhere with PCSCLITE_CSOCK_NAME, but pcscd 1.9 cannot listen anywhere else), so these tests
need root and no other pcscd: otherwise they skip (fail with CI set), like tests/integration/cardreader.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from cardreader.cards.vitale2 import VitaleCard
from cardreader.errors import MESSAGES, CardErrorCode
from cardreader.pcsc import read_once
from desktop.app import pcsc_card_reader
from desktop.demo.cards import DemoCards
from desktop.state.wizard.wizard import Step
from desktop.ui.beneficiary_dialog import BeneficiaryDialog
from desktop.ui.card_binding import CardBinding
from desktop.ui.demo_cards import install_demo_cards
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import spawn
from desktop.ui.wizard.caller_page import CallerPage
from desktop.ui.wizard.search_page import SearchPage
from desktop.ui.wizard.window import WizardWindow
from tests.support import card_profiles as profiles
from tests.support.desktop import operator_account
from tests.support.gui import activate, close_main_window, line_text, open_main_window, press, run, wait_for
from tests.support.live import LiveServer
from tests.support.pcsc import CardSlots, PcscDaemon, wait_card_state

VITALE_SLOT, CPS_SLOT = 0, 1
ALT = Qt.KeyboardModifier.AltModifier


@asynccontextmanager
async def desktop_with_reader(live: LiveServer, directory: Path) -> AsyncIterator[MainWindow]:
    """The main window with the card reader the application starts (real pcscd underneath)."""
    username, password, _operator = operator_account(live)
    main = await open_main_window(live.process.base_url, username, password, directory)
    reader = pcsc_card_reader()  # desktop/app.py's real adapter
    reader.start()
    follower = spawn(main.cards.follow(reader))
    try:
        await wait_for(lambda: len(main.cards.cards) == 2, what="the two vpcd readers")
        assert "prêt (Virtual PCD 00 0" in main.status.card.text()
        yield main
    finally:
        follower.cancel()
        await reader.stop()
        await close_main_window(main)


async def on_search_step(main: MainWindow) -> WizardWindow:
    window = main.new_case()
    window.wizard.step = Step.SEARCH
    window.show_step()
    await activate(window)
    return window


def card_message(window: WizardWindow) -> str:
    button = CardBinding.card_button(window)
    assert button is not None, "this page has no card button"
    return button.message.text()


async def chooser(main: MainWindow) -> BeneficiaryDialog:
    dialog = await wait_for(lambda: main.cards.dialog, what="the beneficiary chooser")
    assert isinstance(dialog, BeneficiaryDialog)
    await wait_for(dialog.isVisible, what="the chooser on screen")
    return dialog


def test_vitale_family_chosen_by_keyboard_then_button_escape_and_pulled_card(
    loop, qtbot, gui_server: LiveServer, slots: CardSlots, tmp_path: Path
):
    async def scenario() -> None:
        async with desktop_with_reader(gui_server, tmp_path) as main:
            window = await on_search_step(main)
            search = search_page(window)
            # the button with no card in the reader: said next to it
            await press(window, Qt.Key.Key_V, ALT)
            assert card_message(window) == MESSAGES[CardErrorCode.NO_CARD]

            slots.insert(profiles.vitale2(*profiles.FAMILY), VITALE_SLOT, wait=False)
            dialog = await chooser(main)
            lines = [dialog.list.item(i).text() for i in range(dialog.list.count())]
            assert lines == [
                "DUPONT-MARTIN Hélène — né(e) le 31/12/1984",
                "DUPONT-MARTIN Jean-Éric — né(e) le 15/01/1982",
                "DUPONT-MARTIN Zoé — né(e) le 07/06/2015",
            ]
            await press(dialog, Qt.Key.Key_Down)
            await press(dialog, Qt.Key.Key_Return)
            await wait_for(
                lambda: line_text(search, "first_name") == "Jean-Éric", what="the second beneficiary"
            )
            assert (line_text(search, "last_name"), line_text(search, "birth_date")) == (
                "DUPONT-MARTIN",
                "15/01/1982",
            )
            assert window.wizard.search.card_nir == profiles.FAMILY[1]["nir"]  # on to « Patient »
            assert main.cards.dialog is None
            await wait_for(
                lambda: "trouvé" in search.status.text(), what="the live search of the card's traits"
            )

            # « Lire la carte Vitale » with the card in: the chooser again, now warning that the
            # typed traits would be replaced; Échap leaves everything as it was
            await activate(window)
            await press(window, Qt.Key.Key_V, ALT)
            dialog = await chooser(main)
            warning = dialog.findChild(QLabel, "replace_warning")
            assert warning is not None
            assert "seront remplacés" in warning.text()
            await press(dialog, Qt.Key.Key_Escape)
            await wait_for(lambda: main.cards.dialog is None, what="the chooser closed")
            assert line_text(search, "first_name") == "Jean-Éric"
            assert "aucun bénéficiaire choisi" in card_message(window)

            # a card pulled out in the middle of the read: the message, nothing typed touched
            slots.remove(VITALE_SLOT)
            slots.insert(
                profiles.vitale2(profiles.FAMILY[0], fault={"kind": "pull", "after": 3}),
                VITALE_SLOT,
                wait=False,
            )
            await wait_for(
                lambda: card_message(window) == MESSAGES[CardErrorCode.CARD_REMOVED],
                what="the pulled-card message",
            )
            assert search.card.is_error
            assert main.cards.dialog is None
            assert (line_text(search, "first_name"), line_text(search, "birth_date")) == (
                "Jean-Éric",
                "15/01/1982",
            )

            # a card that is neither a Carte Vitale nor a CPS
            slots.remove(VITALE_SLOT, wait=False)
            await wait_for(lambda: not main.cards.cards.get("Virtual PCD 00 00"), what="the card gone")
            slots.insert({"type": "unknown", "atr": "3B 02 14 50"}, VITALE_SLOT, wait=False)
            await wait_for(
                lambda: card_message(window) == MESSAGES[CardErrorCode.UNKNOWN_CARD],
                what="the unknown-card message",
            )
            assert line_text(search, "last_name") == "DUPONT-MARTIN"

            # a Carte Vitale answering nonsense in the middle of the read
            slots.remove(VITALE_SLOT, wait=False)
            await wait_for(lambda: not main.cards.cards.get("Virtual PCD 00 00"), what="the card gone")
            garbled = profiles.vitale2(profiles.FAMILY[2], fault={"kind": "garbage", "after": 4})
            slots.insert(garbled, VITALE_SLOT, wait=False)
            await wait_for(
                lambda: card_message(window).startswith("Carte illisible"), what="the unreadable card"
            )
            assert search.card.is_error
            assert (line_text(search, "first_name"), window.wizard.search.card_nir) == (
                "Jean-Éric",
                profiles.FAMILY[1]["nir"],
            )

    run(loop, scenario(), timeout=60)


def test_cps_fills_the_requester_and_pcscd_stopped_is_said(
    loop, qtbot, gui_server: LiveServer, slots: CardSlots, pcscd: PcscDaemon, tmp_path: Path
):
    holder = profiles.cps("cps3", "D'ARTAGNAN", "Jean-Pierre", "810001045367")

    async def scenario() -> None:
        async with desktop_with_reader(gui_server, tmp_path) as main:
            window = main.new_case()
            await activate(window)
            caller = caller_page(window)
            slots.insert(holder, CPS_SLOT, wait=False)
            await wait_for(lambda: window.wizard.caller.requester_rpps == "10001045367", what="the requester")
            assert line_text(caller, "requester_name") == "D'ARTAGNAN Jean-Pierre"
            assert not window.wizard.caller.requester_is_caller
            assert card_message(window) == "Demandeur rempli par la carte CPS : D'ARTAGNAN Jean-Pierre"

            # the button reads the CPS present again (same requester: no question)
            caller.card.show_message("")
            await press(window, Qt.Key.Key_C, ALT)
            assert card_message(window) == "Lecture de la carte…"
            await wait_for(lambda: card_message(window).startswith("Demandeur rempli"), what="the re-read")

            # pcscd gone: said in the status bar and next to the button; nothing typed lost
            await asyncio.to_thread(pcscd.stop)
            message = MESSAGES[CardErrorCode.NO_SERVICE]
            await wait_for(lambda: message in main.status.card.text(), what="the pcscd message")
            await press(window, Qt.Key.Key_C, ALT)
            assert card_message(window) == message
            assert caller.card.is_error
            assert line_text(caller, "requester_name") == "D'ARTAGNAN Jean-Pierre"

    run(loop, scenario(), timeout=60)


def test_demo_cards_in_the_running_pcscd_from_the_demo_toolbar(
    loop, qtbot, gui_server: LiveServer, slots: CardSlots, pcscd: PcscDaemon, tmp_path: Path
):
    cards = DemoCards.start(tmp_path / "demo", port=pcscd.port)
    assert cards.pcscd is None  # the running pcscd is used, not a second one

    async def scenario() -> None:
        async with desktop_with_reader(gui_server, tmp_path) as main:
            actions = install_demo_cards(main, cards)
            assert actions is not None
            window = await on_search_step(main)
            vitale = actions.actions[VITALE_SLOT]
            assert vitale.text() == "Insérer la carte Vitale de démonstration (Ctrl+Maj+V)"
            vitale.trigger()
            assert vitale.text().startswith("Retirer la carte Vitale de démonstration")
            dialog = await chooser(main)
            assert dialog.list.count() == 3
            await press(dialog, Qt.Key.Key_End)
            await press(dialog, Qt.Key.Key_Return)
            search = search_page(window)
            await wait_for(lambda: line_text(search, "first_name") == "Yann", what="the demo child")
            assert line_text(search, "birth_date") == "05/04/2015"
            await wait_for(lambda: "trouvé" in search.status.text(), what="the live search")
            vitale.trigger()
            await wait_for(lambda: not main.cards.cards.get("Virtual PCD 00 00"), what="the demo card out")

    try:
        run(loop, scenario(), timeout=60)
    finally:
        cards.stop()


def test_demo_cards_start_their_own_pcscd_when_none_runs(pcscd: PcscDaemon, tmp_path: Path):
    pcscd.stop()  # the next test's ``slots`` starts it again
    cards = DemoCards.start(tmp_path / "demo")
    try:
        assert cards.pcscd is not None
        assert cards.toggle(VITALE_SLOT)
        reader = f"Virtual PCD 00 {VITALE_SLOT:02d}"
        wait_card_state(reader, present=True)
        _reader, content, _count = read_once(reader)
        assert isinstance(content, VitaleCard)
        assert [b.first_name for b in content.beneficiaries] == ["Maëlle", "Erwan", "Yann"]
        assert all(b.nir_valid for b in content.beneficiaries)
    finally:
        cards.stop()
    assert cards.pcscd is None


def search_page(window: WizardWindow) -> SearchPage:
    page = window.pages[Step.SEARCH]
    assert isinstance(page, SearchPage)
    return page


def caller_page(window: WizardWindow) -> CallerPage:
    page = window.pages[Step.CALLER]
    assert isinstance(page, CallerPage)
    return page
