"""The Qt half of ``centrale --smoke``: the real controller and softphone service, step by step.

This mirrors ``desktop.ui.application.run`` (QApplication, qasync loop, GUI-thread collector), but
keeps a hand on the controller so that each step can be observed and reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QLibraryInfo
from PySide6.QtWidgets import QApplication

from desktop.adapters import Adapters
from desktop.self_test import SmokeFailure, say, wait_until
from desktop.services.softphone import REGISTERING, PhonePlan, SoftphoneService
from desktop.ui import tasks
from desktop.ui.app_identity import icon_path, install_identity
from desktop.ui.application import Controller, Options
from desktop.ui.gui_thread_gc import GuiThreadCollector
from desktop.ui.main_window import MainWindow
from telephony.config import PhoneConfig, SipAccount
from telephony.events import IncomingCall, PhoneEvent, RegistrationChanged, RegistrationStatus
from telephony.sip_identity import uri_hostport, uri_user


def sip_plan(args: argparse.Namespace, password: str) -> PhonePlan:
    uri = args.sip_uri
    registrar = args.sip_registrar or f"sip:{uri_hostport(uri)}"
    config = PhoneConfig(bind_address="127.0.0.1", port=0, null_audio=True, local_user=uri_user(uri))
    account = SipAccount(uri, registrar, args.sip_username or uri_user(uri), expires_seconds=60)
    return PhonePlan(config, account, password, REGISTERING)


def run_smoke(args: argparse.Namespace, password: str, sip_password: str, adapters: Adapters) -> None:
    """``adapters``: the composition root's real ones (``desktop.app.real_adapters``)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Centrale")
    app.setQuitOnLastWindowClosed(False)
    check_identity(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = GuiThreadCollector(app)
    collector.start()
    try:
        with loop:
            loop.run_until_complete(_steps(args, password, sip_password, adapters))
    finally:
        asyncio.set_event_loop(None)
        collector.stop()


def check_identity(app: QApplication) -> None:
    """What the application loads at start (desktop/ui/app_identity.py): Qt's own French strings
    (standard buttons, context menus) where Qt looks for them, and the window icon."""
    if install_identity(app) is None:
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        raise SmokeFailure(f"traductions Qt françaises (qtbase_fr.qm) introuvables dans {folder}")
    say("traductions Qt : français")
    if icon_path() is None:
        raise SmokeFailure("icône de l'application introuvable")
    say("icône : présente")


def _login_message(controller: Controller) -> str:
    dialog = controller.login_dialog
    text = dialog.error.text() if dialog is not None else ""
    return f" (« {text} »)" if text else ""


async def _steps(args: argparse.Namespace, password: str, sip_password: str, adapters: Adapters) -> None:
    service: SoftphoneService | None = None
    if args.sip_uri:
        if adapters.softphone is None:
            raise SmokeFailure("SIP : aucun softphone dans cette application")
        service = SoftphoneService(sip_plan(args, sip_password), adapters.softphone)
    phone = service.create() if service is not None else None
    if service is not None and phone is None:
        raise SmokeFailure(service.status)  # pjsua2's bindings missing from the bundle
    registration: asyncio.Queue[RegistrationChanged] = asyncio.Queue()

    def on_event(event: PhoneEvent) -> None:
        if isinstance(event, RegistrationChanged):
            registration.put_nowait(event)
        elif isinstance(event, IncomingCall):  # the registrar routes calls to this softphone
            say(f"SIP : appel entrant de {event.caller}")

    if phone is not None:
        phone.add_listener(on_event)
    controller = Controller(
        Options(
            server_url=args.server, username=args.user, password=password, adapters=adapters, softphone=phone
        )
    )
    task = asyncio.ensure_future(controller.run())

    def shown() -> MainWindow | None:
        if task.done():
            raise SmokeFailure("la connexion a été abandonnée")
        dialog = controller.login_dialog
        if dialog is not None and dialog.error.text():  # refused: nobody will type another password
            raise SmokeFailure("connexion refusée")
        window = controller.window
        return window if window is not None and window.isVisible() else None

    try:
        try:
            window = await wait_until("connexion", shown, args.timeout)
        except SmokeFailure as exc:
            raise SmokeFailure(f"{exc}{_login_message(controller)}") from exc
        session = controller.session
        assert session is not None  # the window exists only with a session
        say(f"connexion : {session.user.username} ({session.user.role})")
        say(f"fenêtre principale : {window.windowTitle()}")
        # the local store (drafts, outbox) was opened, and migrated if an older release wrote it
        say(f"stockage local : {len(session.store.drafts())} brouillon(s)")
        if service is not None:
            await _register(service, registration, args)
        else:
            say("SIP : non demandé")
        if args.wait_stdin:
            say("en attente (une ligne sur stdin pour quitter)")
            await asyncio.to_thread(sys.stdin.readline)
    finally:
        await _close(controller, task, service)


async def _register(
    service: SoftphoneService, registration: asyncio.Queue[RegistrationChanged], args: argparse.Namespace
) -> None:
    status = await service.start()
    if not service.started or status != REGISTERING:
        raise SmokeFailure(status)
    deadline = asyncio.get_running_loop().time() + args.timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            event = await asyncio.wait_for(registration.get(), max(remaining, 0.01))
        except TimeoutError as exc:
            raise SmokeFailure(f"SIP : pas d'enregistrement après {args.timeout:.0f} s") from exc
        if event.status == RegistrationStatus.REGISTERED:
            say(f"SIP : enregistré ({args.sip_uri}, code {event.code})")
            return
        if event.status in (RegistrationStatus.AUTH_FAILED, RegistrationStatus.RETRYING):
            raise SmokeFailure(f"SIP : {event.message} (code {event.code} {event.reason})")


async def _close(controller: Controller, task: asyncio.Future[int], service: SoftphoneService | None) -> None:
    window = controller.window
    if window is not None:
        # the views' first loads finish before the session closes its client under them
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tasks.settle(), 10)
        window.close()
    for widget in QApplication.topLevelWidgets():  # the drafts offer (« Plus tard » keeps them)…
        if widget.isVisible():
            widget.close()
    if controller.login_dialog is not None:
        controller.login_dialog.reject()
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(task, 15)
    if window is not None:
        window.deleteLater()
    if service is not None:
        await service.stop()
