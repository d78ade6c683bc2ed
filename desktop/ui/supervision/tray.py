"""Desktop notifications through the system tray (`QSystemTrayIcon`), each kind switchable from
the « Notifications » menu and kept in the settings. Without a tray (offscreen, some desktops)
the notice goes to the main window's status bar instead, so it is never lost silently."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon, QWidget

from desktop.state.tray_notices import Notice, NoticeDecider, NoticeKind
from desktop.sync.errors import ApiProblem
from desktop.ui.shell import Shell
from desktop.ui.tasks import spawn
from shared.schemas.feed import FeedEvent

log = logging.getLogger(__name__)
SHOWN_MS = 10_000
KEPT = 100  # the latest notices kept (`shown`)
STATUS_BAR_MS = 15_000


class TrayNotifier(QObject):
    notified = Signal(object)  # the Notice, once shown (tray or status bar)
    told = Signal(str, str)  # (title, message) of a notice that is no request's, once given to the tray

    def __init__(self, decider: NoticeDecider, shell: Shell, owner: QWidget) -> None:
        """``owner``: the Qt parent (the main window); ``shell`` opens a notice's request, shows it
        in the status bar without a tray, and keeps the switches in its settings."""
        super().__init__(owner)
        self.decider = decider
        self.shell = shell
        self.settings = shell.settings
        self.shown: list[Notice] = []
        self.last_opened: int | None = None
        self.open_thread: Callable[[int], object] | None = None  # « Messagerie »'s, when installed
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip("Centrale")
            self.tray.messageClicked.connect(self.open_last)
            self.tray.show()
        self.menu = QMenu("Notifications", owner)
        self.menu.setObjectName("notifications_menu")
        self.switches: dict[NoticeKind, QAction] = {}
        for kind in NoticeKind:
            action = QAction(kind.label, self.menu)
            action.setCheckable(True)
            action.setChecked(decider.switches.enabled(kind))
            action.toggled.connect(lambda on, k=kind: self.switch(k, on))
            self.menu.addAction(action)
            self.switches[kind] = action
        if self.tray is not None:
            self.tray.setContextMenu(self.menu)

    def switch(self, kind: NoticeKind, on: bool) -> None:
        """One kind on or off, kept in the settings file (written off the GUI thread)."""
        self.decider.switches = self.decider.switches.switched(kind, on)
        self.settings.notifications_off = self.decider.switches.to_setting()
        spawn(asyncio.to_thread(self.settings.save))

    def on_event(self, event: FeedEvent) -> None:
        spawn(self.consider(event))

    async def consider(self, event: FeedEvent) -> Notice | None:
        try:
            notice = await self.decider.decide(event)
        except ApiProblem as problem:
            log.info("notice of event %s not decided: %s", event.seq, problem)
            return None
        if notice is not None:
            self.show(notice)
        return notice

    def show(self, notice: Notice) -> None:
        self.shown = [*self.shown[-(KEPT - 1) :], notice]
        if self.tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Information
                if notice.kind in (NoticeKind.ACCEPTED, NoticeKind.MESSAGE)
                else QSystemTrayIcon.MessageIcon.Warning
            )
            self.tray.showMessage(notice.title, notice.message, icon, SHOWN_MS)
        else:
            self.shell.show_message(f"{notice.title} — {notice.message}", STATUS_BAR_MS)
        self.notified.emit(notice)

    def show_text(self, title: str, message: str) -> None:
        """A notice that is no request's (« Mon état » changed by the server): the tray only, the
        caller shows it in the status bar itself."""
        if self.tray is not None:
            self.tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Warning, SHOWN_MS)
        self.told.emit(title, message)

    def open_last(self) -> None:
        """A click on the notice opens its request's details (a message's: its thread)."""
        notice = self.shown[-1] if self.shown else None
        if notice is not None and notice.thread_id is not None and self.open_thread is not None:
            self.open_thread(notice.thread_id)
            return
        if notice is not None and notice.prescription_id is not None:
            self.last_opened = notice.prescription_id
            self.shell.open_prescription(notice.prescription_id)

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
