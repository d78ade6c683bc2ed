"""Issue 18, item 9: the wizard cannot be lost and can be left. Against a real server: the wizard is
a child window of the main window (it stays in front of it), « Annuler » and Échap close it and
keep its draft (said in the status bar, resumed with Ctrl+Maj+B); the demo's card keys
(Ctrl+Maj+V / C) work while the wizard is the active window (a real pcscd with vpcd); the main
window's first size shows every toolbar action, the demo's included."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

from desktop.demo.calls import DemoCalls
from desktop.demo.cards import CPS_SLOT, VITALE_SLOT, DemoCards
from desktop.services.session import Session
from desktop.settings import SecretStore, Settings
from desktop.state.wizard.wizard import Step
from desktop.sync.client import ApiClient
from desktop.ui.demo_cards import install_demo_cards
from desktop.ui.drafts import DraftsDialog
from desktop.ui.main_window import WIZARD_CANCELLED, MainWindow
from desktop.ui.phone_binding import PhoneBinding
from desktop.ui.wizard.window import WizardWindow
from tests.support.desktop import operator_account
from tests.support.gui import activate, close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.keyrings import MemoryKeyring
from tests.support.live import LiveServer
from tests.support.pcsc import CardSlots, PcscDaemon

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def hidden_actions(main: MainWindow) -> list[str]:
    """The toolbar actions pushed behind a toolbar's » button (or not laid out at all)."""
    hidden: list[str] = []
    for bar in main.findChildren(QToolBar):
        extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
        if extension is not None and extension.isVisible():
            hidden.append(f"{bar.windowTitle()}: »")
        for action in bar.actions():
            widget = bar.widgetForAction(action)
            if action.text() and (widget is None or not widget.isVisible()):
                hidden.append(action.text())
    return hidden


def test_the_wizard_stays_in_front_and_annuler_or_escape_keeps_the_draft(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        await press(main, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        window = await wait_for(lambda: main.front_wizard(), what="the wizard")
        assert isinstance(window, WizardWindow)
        # a child window of the main window: the window system keeps it in front of it
        assert window.isWindow()
        assert window.parentWidget() is main
        handle = window.windowHandle()
        assert handle is not None
        assert handle.transientParent() is main.windowHandle()
        await activate(window)
        assert window.cancel_button.text() == "Annuler (Échap)"
        await press(window, Qt.Key.Key_Return)  # « Appelant » filled from the operator
        await wait_for(lambda: window.wizard.step is Step.SEARCH, what="« Recherche patient »")
        await type_text(window, "0611223344")  # Téléphone, then Nom
        await press(window, Qt.Key.Key_Tab)
        await type_text(window, "DUPONTEL")
        await wait_for(lambda: window.wizard.search.last_name == "DUPONTEL", what="the typed name")
        draft_id = window.wizard.draft_id
        await press(window, Qt.Key.Key_Escape)
        await wait_for(lambda: not window.isVisible(), what="the wizard closed by Échap")
        assert draft_id not in main.wizards
        assert main.status.currentMessage() == WIZARD_CANCELLED
        saved = main.session.store.draft(draft_id)
        assert saved is not None
        assert saved["search"]["last_name"] == "DUPONTEL"
        await activate(main)
        await press(main, Qt.Key.Key_B, CTRL_SHIFT)  # « Reprendre un brouillon »
        dialog = await wait_for(
            lambda: next((w for w in QApplication.topLevelWidgets() if isinstance(w, DraftsDialog)), None),
            what="the drafts",
        )
        assert dialog.list.count() == 1
        assert "DUPONTEL" in dialog.list.item(0).text()
        dialog.resume.emit(draft_id)
        dialog.close()
        again = await wait_for(lambda: main.wizards.get(draft_id), what="the draft resumed")
        assert again.wizard.search.last_name == "DUPONTEL"
        assert again.wizard.step is Step.SEARCH
        again.cancel_button.click()  # the button does what Échap does
        await wait_for(lambda: draft_id not in main.wizards, what="the wizard closed by « Annuler »")
        assert main.session.store.draft(draft_id) is not None
        await close_main_window(main)

    run(loop, scenario(), timeout=60)


def test_card_keys_work_in_the_wizard_and_the_first_size_shows_every_action(
    loop, qtbot, gui_server: LiveServer, slots: CardSlots, pcscd: PcscDaemon, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    cards = DemoCards.start(tmp_path / "demo", port=pcscd.port)
    base_url = gui_server.process.base_url

    async def scenario() -> None:
        client = ApiClient(base_url)
        login = await client.login(username, password)
        session = Session(client, login.user, directory=tmp_path, feed_head=login.feed_head)
        settings = Settings(server_url=base_url, username=username)
        main = MainWindow(session, settings, SecretStore(MemoryKeyring()))
        qtbot.addWidget(main)
        PhoneBinding(main, main.status, None, DemoCalls())  # the demo's toolbars, as `centrale --demo`
        actions = install_demo_cards(main, cards)
        assert actions is not None
        main.show()  # what the application does: toolbars first, then shown
        session.start()
        await activate(main)
        await asyncio.sleep(0.1)  # the toolbars laid out
        assert hidden_actions(main) == []
        window = main.new_case()
        await activate(window)
        await press(window, Qt.Key.Key_V, CTRL_SHIFT)  # the demo Carte Vitale in, from the wizard
        await wait_for(lambda: cards.inserted(VITALE_SLOT), what="the demo Carte Vitale inserted")
        assert actions.actions[VITALE_SLOT].text().startswith("Retirer la carte Vitale")
        await press(window, Qt.Key.Key_C, CTRL_SHIFT)
        await wait_for(lambda: cards.inserted(CPS_SLOT), what="the demo CPS inserted")
        await press(window, Qt.Key.Key_V, CTRL_SHIFT)
        await wait_for(lambda: not cards.inserted(VITALE_SLOT), what="the demo Carte Vitale out")
        window.close()
        await close_main_window(main)

    try:
        run(loop, scenario(), timeout=60)
    finally:
        cards.stop()
