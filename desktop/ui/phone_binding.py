"""The application's softphone in the main window: its state in the status bar, and in the demo the
« Simuler un appel entrant » action (a real SIP call placed by a second process).

The softphone itself is created before the session (``SoftphoneService.create``) so that the call
flow, the screen pop and the main window listen to it from its first event; ``start()`` runs once
the main window shows, ``stop()`` when it closed (the demo's callers killed, then the softphone).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QToolBar

from desktop.demo.calls import DemoCaller, DemoCalls, direct_uri
from desktop.services.softphone import SoftphoneService
from desktop.ui.status_bar import StatusBar
from telephony.events import CallEnded, PhoneEvent

log = logging.getLogger(__name__)
SIMULATE_KEYS = "Ctrl+Shift+A"
SIMULATE_LABEL = "Simuler un appel entrant (Ctrl+Maj+A)"


class PhoneBinding(QObject):
    def __init__(
        self,
        window: QMainWindow,
        status: StatusBar,
        service: SoftphoneService | None,
        demo_calls: DemoCalls | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.status = status
        self.service = service
        self.demo_calls = demo_calls
        self.demo_action: QAction | None = None
        self.last_call: QLabel | None = None
        if service is not None and service.softphone is None:  # no account, or no pjsua2
            self._show(service.status, service.plan.notice)
        if demo_calls is not None:
            self._add_demo_toolbar()
            if service is not None and service.softphone is not None:
                service.softphone.add_listener(self._phone_event)

    def _phone_event(self, event: PhoneEvent) -> None:
        """A finished call leaves the toolbar: the simulated call's line goes with it."""
        if isinstance(event, CallEnded) and self.last_call is not None:
            self.last_call.setText("")

    def _show(self, text: str, tooltip: str = "") -> None:
        self.status.sip.setText(text)
        self.status.sip.setToolTip(tooltip or text)

    def _add_demo_toolbar(self) -> None:
        toolbar = QToolBar("Démonstration")
        toolbar.setObjectName("demo_toolbar")
        self.window.addToolBar(toolbar)
        action = QAction(SIMULATE_LABEL, self.window)
        action.setObjectName("simulate_call")
        action.setShortcut(QKeySequence(SIMULATE_KEYS))
        action.setToolTip(
            "Un second programme appelle ce poste en SIP avec le numéro d'un professionnel de la démo"
        )
        action.setEnabled(False)  # until the softphone listens
        action.triggered.connect(self.simulate_call)
        toolbar.addAction(action)
        self.last_call = QLabel()
        self.last_call.setObjectName("last_demo_call")
        toolbar.addWidget(self.last_call)
        self.demo_action = action

    async def start(self) -> None:
        """Starts and registers the softphone; its outcome in the status bar, never an exception."""
        service = self.service
        if service is None or service.softphone is None:
            return
        status = await service.start()
        if not service.started or service.direct_only:
            self._show(status, service.plan.notice)  # registration events never come then
        elif service.plan.notice:
            self.status.sip.setToolTip(service.plan.notice)
        config = service.plan.config
        if self.demo_calls is not None and self.demo_action is not None and service.started and config:
            self.demo_calls.target = direct_uri(config.local_user, service.local_port)
            self.demo_action.setEnabled(True)

    def simulate_call(self) -> DemoCaller | None:
        """« Simuler un appel entrant »: a second process calls this desktop."""
        if self.demo_calls is None or self.last_call is None:
            return None
        try:
            caller, _process = self.demo_calls.place()
        except (OSError, RuntimeError) as exc:
            self.last_call.setText(f"Appel simulé impossible : {exc}")
            return None
        self.last_call.setText(f"Appel simulé depuis le {caller.number} ({caller.display_name})")
        return caller

    async def stop(self) -> None:
        """The demo's callers killed, then the softphone stopped (calls hung up, pjsua2 destroyed)."""
        if self.demo_action is not None:
            self.demo_action.setEnabled(False)
        if self.demo_calls is not None:
            await asyncio.to_thread(self.demo_calls.stop_all)
        if self.service is not None:
            await self.service.stop()
