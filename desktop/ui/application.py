"""Runs the Qt application on the qasync event loop: login, then the main window until it closes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop.adapters import Adapters
from desktop.settings import KeyringStatus, SecretStore, Settings
from desktop.state.leaving import Leaving, handover_notice
from desktop.sync.client import ApiClient
from desktop.ui.app_identity import install_identity
from desktop.ui.gui_thread_gc import GuiThreadCollector
from desktop.ui.login import LoginDialog
from shared.schemas.auth import LoginResponse, UserOut
from telephony.api import Softphone

if TYPE_CHECKING:  # imported once logged in: the login window comes up sooner (bench.desktop_start)
    from cardreader.api import CardReader
    from desktop.demo.calls import DemoCalls
    from desktop.demo.cards import DemoCards
    from desktop.services.session import Session
    from desktop.services.softphone import SoftphoneService
    from desktop.ui.demo_cards import DemoCardActions
    from desktop.ui.main_window import MainWindow
    from desktop.ui.phone_binding import PhoneBinding

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(slots=True)
class Options:
    server_url: str | None = None
    username: str | None = None  # with password: log in at once (the demo)
    password: str | None = None
    data_dir: Path | None = None
    # desktop/app.py's choice: the application's own softphone (from the settings' SIP account, or
    # the demo's) and card reader are built with these once logged in; none by default (tests)
    adapters: Adapters = field(default_factory=Adapters)
    softphone: Softphone | None = None  # given (tests, the smoke): used as is, not started here
    demo_calls: DemoCalls | None = None  # the demo: direct calls, « Simuler un appel entrant »
    demo_cards: DemoCards | None = None  # the demo: its Carte Vitale and CPS in pcscd's vpcd reader


class Controller:
    """Login → session → main window; ``run()`` returns when the main window is closed."""

    def __init__(
        self, options: Options, settings: Settings | None = None, secrets: SecretStore | None = None
    ) -> None:
        self.options = options
        self.settings = settings or Settings.load()
        if options.server_url:
            self.settings.server_url = options.server_url
        self.secrets = secrets or SecretStore()
        self.login_dialog: LoginDialog | None = None
        self.window: MainWindow | None = None
        self.session: Session | None = None
        self.phone: PhoneBinding | None = None
        self.demo_cards: DemoCardActions | None = None
        self.drafts_dialog: QDialog | None = None  # the drafts offered at login

    async def login(
        self, after: Leaving | None = None, previous: UserOut | None = None
    ) -> tuple[ApiClient, LoginResponse] | None:
        """The login dialog; ``after`` a logout (``previous`` user's) it says that their drafts and
        outbox stay theirs, and for a change of user the identifier is left empty."""
        notice = handover_notice(previous.display_name) if previous is not None else ""
        dialog = LoginDialog(self.settings, self.secrets, message=notice)
        if after is Leaving.SWITCH_USER:
            dialog.user.clear()
            dialog.user.setFocus()
        self.login_dialog = dialog
        done: asyncio.Future[tuple[ApiClient, LoginResponse] | None] = asyncio.Future()
        dialog.logged_in.connect(lambda client, login: resolve(done, (client, login)))
        dialog.rejected.connect(lambda: resolve(done, None))
        dialog.show()
        if after is None and self.options.username and self.options.password:
            dialog.user.setText(self.options.username)
            dialog.password.setText(self.options.password)
            await dialog.submit()
            if dialog.session_only.isVisible():  # the demo goes on without a keyring
                dialog.session_only.click()
        result = await done
        # deleted now, on the loop: a dialog left to the interpreter's exit would be destroyed after
        # the QApplication (a crash on quitting)
        dialog.deleteLater()
        self.login_dialog = None
        return result

    async def run(self) -> int:
        """Sessions one after the other on this workstation: « Se déconnecter » and « Changer
        d'utilisateur » end one (softphone unregistered, token revoked) and show the login again;
        quitting ends the program. 1 when the first login was abandoned."""
        leaving: Leaving | None = None
        previous: UserOut | None = None
        while True:
            logged = await self.login(leaving, previous)
            if logged is None:
                return 1 if leaving is None else 0
            client, login = logged
            leaving = await self._run_session(client, login)
            if not leaving.ends_the_session:
                return 0
            previous = login.user

    async def _run_session(self, client: ApiClient, login: LoginResponse) -> Leaving:
        from desktop.services.session import Session
        from desktop.ui.demo_cards import install_demo_cards
        from desktop.ui.main_window import MainWindow
        from desktop.ui.phone_binding import PhoneBinding

        phone_service = await self._phone_service(login.user.username)
        softphone = self.options.softphone or (phone_service.create() if phone_service else None)
        self.session = Session(
            client,
            login.user,
            directory=self.options.data_dir,
            softphone=softphone,
            feed_head=login.feed_head,
            sip_user=phone_service.sip_user if phone_service is not None else None,
        )
        window = MainWindow(self.session, self.settings, self.secrets)
        self.window = window
        self.phone = PhoneBinding(window, window.status, phone_service, self.options.demo_calls)
        self.demo_cards = install_demo_cards(window, self.options.demo_cards)
        closed: asyncio.Future[None] = asyncio.Future()
        window.destroyed.connect(lambda: resolve(closed, None))
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.lastWindowClosed.connect(lambda: resolve(closed, None))
        # the main window closed ends the session even when another window is still shown (a dialog
        # left open would otherwise keep the application, and its softphone, running unseen)
        on_close = ClosedWatch(window, lambda: resolve(closed, None))
        window.show()
        self.session.start()
        await self.phone.start()
        cards = self._start_card_reader(window)
        # kept: a dialog without a parent that nothing references is deleted at once (it was never seen)
        self.drafts_dialog = window.offer_drafts()
        await closed
        self.drafts_dialog = None
        window.removeEventFilter(on_close)
        leaving = window.session_actions.leaving or Leaving.QUIT
        if cards is not None:
            reader, task = cards
            task.cancel()
            await reader.stop()
        await self.stop(sign_out=leaving.ends_the_session)
        if leaving.ends_the_session:
            await self._forget_token(client.server_url, login.user.username)
            self.window = None
            window.deleteLater()
        return leaving

    async def _forget_token(self, server_url: str, username: str) -> None:
        """The revoked token out of the keyring too (nothing stored: nothing to do)."""
        with contextlib.suppress(Exception):  # no secure keyring, D-Bus gone: it was never kept
            await asyncio.to_thread(self.secrets.delete, SecretStore.token_key(server_url, username))

    async def _phone_service(self, username: str) -> SoftphoneService | None:
        """The application's own softphone, built with ``adapters.softphone`` (none when the caller
        gave one, or when there is no such factory)."""
        from desktop.services.softphone import SoftphoneService, demo_plan, plan_from_settings

        factory = self.options.adapters.softphone
        if self.options.softphone is not None or factory is None:
            return None
        if self.options.demo_calls is not None:
            return SoftphoneService(demo_plan(username), factory)
        # the SIP password comes from the keyring: off the GUI thread (D-Bus)
        plan = await asyncio.to_thread(plan_from_settings, self.settings, self.secrets)
        if plan.account is not None and not plan.password and not self._keyring_is_secure():
            from desktop.ui.sip_password_prompt import ask_sip_password

            password = await ask_sip_password(plan.account.uri)
            if password:
                plan = dataclasses.replace(plan, password=password, notice="")
        return SoftphoneService(plan, factory)

    def _keyring_is_secure(self) -> bool:
        return self.secrets.status() is KeyringStatus.SECURE

    def _start_card_reader(self, window: MainWindow) -> tuple[CardReader, asyncio.Task[None]] | None:
        """The card reader of ``adapters`` (none: no card reader, as in most tests), built and
        started once; the main window's ``CardBinding`` follows it."""
        factory = self.options.adapters.card_reader
        if factory is None:
            return None
        try:
            reader = factory()
            reader.start()
        except Exception as exc:  # no PC/SC library or daemon: the desktop works without cards
            log.warning("card reader unavailable: %s", exc)
            window.status.set_card_reader("indisponible")
            return None
        window.status.set_card_reader("recherche du lecteur…")
        return reader, asyncio.ensure_future(window.cards.follow(reader))

    async def stop(self, *, sign_out: bool = False) -> None:
        """« Hors ligne » sent, the softphone stopped (unregistered), then the session
        (``sign_out``: token revoked)."""
        if self.session is not None:  # the server stops offering calls before the phone goes
            await self.session.go_offline()
        if self.phone is not None:  # before the session: the last calls reach its call log
            phone, self.phone = self.phone, None
            # pjsua2's thread collects garbage before libDestroy: the Qt wrappers waiting in cycles
            # (a previous session's windows) are finalised here first, on the GUI thread — freed
            # there, their timers stayed registered on this thread and crashed its next timer
            gc.collect()
            await phone.stop()
        if self.session is not None:
            session, self.session = self.session, None
            await session.stop(sign_out=sign_out)


class ClosedWatch(QObject):
    """Calls ``closed`` once ``window`` is really closed (a close it refused is not one)."""

    def __init__(self, window: QWidget, closed: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.closed = closed
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self, self._check)  # after closeEvent accepted or refused it
        return False

    def _check(self) -> None:
        if not self.window.isVisible():
            self.closed()


def resolve(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def run(options: Options) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("Centrale")
    app.setQuitOnLastWindowClosed(False)  # the loop ends when the controller is done
    install_identity(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = GuiThreadCollector(app)
    collector.start()
    controller = Controller(options)
    try:
        with loop:
            return int(loop.run_until_complete(controller.run()))
    finally:
        asyncio.set_event_loop(None)
        collector.stop()
