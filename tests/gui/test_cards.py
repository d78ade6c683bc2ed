"""Card events in the UI (the events of cardreader.events, as the CardService delivers them): the
reader's state in the status bar, a CPS filling the requester, a Carte Vitale the patient search."""

from __future__ import annotations

from pathlib import Path

from cardreader.cards.atr import CardKind
from cardreader.cards.cps import CpsCard, CpsHolder
from cardreader.cards.vitale2 import Beneficiary, VitaleCard
from cardreader.events import CardInserted, CardRead, ReaderAdded, ReaderRemoved
from desktop.workflows.wizard import Step
from tests.support.desktop import operator_account, wait_until
from tests.support.gui import close_main_window, line_text, open_main_window, run
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
        assert line_text(window.pages[Step.CALLER], "requester_name") == "MARTIN Claire"  # shown at once

        window.wizard.step = Step.SEARCH
        window.show_step()
        cards.on_event(CardRead("Lecteur USB 00", VitaleCard(b"\x3b", (BENEFICIARY,)), 30))
        assert main.status.card.text() == "Lecteur de carte : Carte Vitale : 1 bénéficiaire(s)"
        search = window.pages[Step.SEARCH]
        assert (line_text(search, "last_name"), line_text(search, "birth_date")) == ("DURAND", "09/08/1952")
        # the card's traits are searched like typed ones (and the search ends before the window closes)
        await wait_until(lambda: "trouvé" in search.status.text(), what="the live search of the traits")
        cards.on_event(ReaderRemoved("Lecteur USB 00"))
        assert main.status.card.text() == "Lecteur de carte : aucun lecteur"
        await close_main_window(main)

    run(loop, scenario(), timeout=30)
