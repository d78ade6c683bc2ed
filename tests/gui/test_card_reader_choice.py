"""The card reader chosen in « Paramètres »: its events are followed, another reader's are not."""

from __future__ import annotations

from pathlib import Path

from cardreader.cards.atr import CardKind
from cardreader.cards.cps import CpsCard
from cardreader.events import CardInserted, CardRead, ReaderAdded
from tests.gui.test_cards import HOLDER
from tests.support.desktop import operator_account
from tests.support.gui import close_main_window, open_main_window, run
from tests.support.live import LiveServer


def test_only_the_chosen_reader_is_followed(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        main.settings.card_reader = "Lecteur Vitale"
        cards = main.cards
        cards.on_event(ReaderAdded("Lecteur Vitale 00 00"))  # pcscd's slot suffix: still the chosen one
        assert main.status.card.text() == "Lecteur de carte : prêt (Lecteur Vitale 00 00)"
        cards.on_event(ReaderAdded("Clavier avec lecteur 01 00"))
        assert "Clavier" not in main.status.card.text()
        assert set(cards.cards) == {"Lecteur Vitale 00 00"}
        window = main.new_case()
        cards.on_event(CardInserted("Clavier avec lecteur 01 00", b"\x3b", CardKind.CPS3))
        cards.on_event(CardRead("Clavier avec lecteur 01 00", CpsCard(CardKind.CPS3, b"\x3b", HOLDER), 12))
        assert window.wizard.caller.requester_rpps != HOLDER.id_number  # ignored
        cards.on_event(CardRead("Lecteur Vitale 00 00", CpsCard(CardKind.CPS3, b"\x3b", HOLDER), 12))
        assert window.wizard.caller.requester_rpps == HOLDER.id_number
        main.settings.card_reader = ""  # « Premier lecteur »: every reader again
        cards.on_event(ReaderAdded("Clavier avec lecteur 01 00"))
        assert "Clavier avec lecteur 01 00" in cards.cards
        await close_main_window(main)

    run(loop, scenario(), timeout=30)
