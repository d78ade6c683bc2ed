"""« Déclencher » with the server stopped (« En attente d'envoi », then sent once when it is back), and
with an expired session (the login dialog over the window, then sent)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.state.wizard.wizard import Step
from desktop.store import OutboxState
from desktop.sync.follower import FeedState
from desktop.sync.outbox_pusher import LOGIN_REQUIRED
from tests.integration.conftest import start_live
from tests.support.desktop import new_patient_wizard, operator_account
from tests.support.gui import activate, close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.live import LiveServer

TOKEN_TTL_SECONDS = 720 * 60  # the server's session lifetime


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of this test's own: it is stopped and started again."""
    yield from start_live("sqlite", tmp_path / "server")


def test_a_case_sent_while_the_server_is_down_is_queued_then_created_once(
    loop, qtbot, live: LiveServer, tmp_path: Path
):
    username, password, operator = operator_account(live)
    api = live.client(live.login(username, password))

    async def scenario() -> None:
        main = await open_main_window(live.process.base_url, username, password, tmp_path / "desk")
        qtbot.addWidget(main)
        main.send_wait = 0.5
        wizard = new_patient_wizard(operator)
        window = main.open_wizard(wizard)
        assert wizard.step is Step.QUALIFICATION
        live.process.stop()
        await window.go_next()  # « Déclencher »
        dialog = await wait_for(lambda: main.success, what="the dialog")
        assert dialog.windowTitle() == "En attente d'envoi"
        assert "sera envoyé dès le retour de la connexion" in dialog.lines[0]
        await wait_for(
            lambda: main.status.server_text == "Pas de connexion serveur",
            timeout=15,
            what="the red diode",
        )
        [item] = main.session.store.outbox.items()
        assert item.state is OutboxState.PENDING
        assert main.outbox_list.item(0).text().startswith("En attente d'envoi")
        assert main.session.store.drafts() == []  # in the outbox now, not a draft

        live.process.start()
        main.session.pusher.wake()
        await wait_for(
            lambda: main.session.store.outbox.get(item.id).state is OutboxState.SENT,
            timeout=30,
            what="the case sent",
        )
        sent = main.session.store.outbox.get(item.id)
        assert sent.result is not None
        assert main.outbox_list.item(0).text().startswith("Envoyé")
        found = api.get("/prescriptions", params={"number": sent.result["number"].lstrip("#")}).json()
        assert len(found) == 1
        assert found[0]["comment"] == "Pansement"
        by_patient = api.get("/prescriptions", params={"q": wizard.search.last_name}).json()
        assert [p["case_number"] for p in by_patient] == [found[0]["case_number"]]  # created once
        await wait_for(lambda: main.status.server_text == "Connecté", timeout=30, what="the green diode")
        await close_main_window(main)

    run(loop, scenario(), timeout=80)


def test_an_expired_session_asks_to_log_in_again_then_sends(loop, qtbot, live: LiveServer, tmp_path: Path):
    username, password, operator = operator_account(live)

    async def scenario() -> None:
        main = await open_main_window(live.process.base_url, username, password, tmp_path / "desk")
        qtbot.addWidget(main)
        main.send_wait = 0.5
        window = main.open_wizard(new_patient_wizard(operator))
        live.advance(TOKEN_TTL_SECONDS + 60)  # the session has expired meanwhile
        # the change feed may see it first (its own message), the outbox's message then says more
        main.ask_login(FeedState.LOGIN_REQUIRED.label)
        dialog = main.login_dialog
        assert dialog is not None
        assert dialog.notice.text() == FeedState.LOGIN_REQUIRED.label
        await window.go_next()  # « Déclencher »
        await wait_for(lambda: dialog.notice.text() == LOGIN_REQUIRED, what="the outbox's message")
        assert main.login_dialog is dialog
        assert dialog.isVisible()
        main.ask_login(FeedState.LOGIN_REQUIRED.label)  # the feed again, later: the message stays
        assert dialog.notice.text() == LOGIN_REQUIRED
        assert dialog.user.text() == username
        assert dialog.user.isReadOnly()
        [item] = main.session.store.outbox.items()
        assert item.state is OutboxState.PENDING  # kept, nothing failed

        await activate(dialog)
        await type_text(dialog, password)  # the focus is on « Mot de passe »
        await press(dialog, Qt.Key.Key_Return)  # « Se connecter »
        await wait_for(
            lambda: main.session.store.outbox.get(item.id).state is OutboxState.SENT,
            timeout=30,
            what="the case sent after the new login",
        )
        assert main.login_dialog is None
        # the change feed saw the expired session too: resumed with the new login, not asked twice
        await wait_for(lambda: main.status.server_text == "Connecté", timeout=20, what="the green diode")
        assert main.login_dialog is None
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
