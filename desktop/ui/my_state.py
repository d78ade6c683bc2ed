"""« Mon état » in the main window (issue 19): the status bar's choice and Ctrl+E, the pause's
reason, « Post-appel » (its window, its delay — the server's ``wrap_up_seconds`` — then
« Disponible »), what the server says of the state (not sent, refused, changed by itself).

Without a hotline presence (no softphone) the state stays on this workstation, as before issue 19."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from desktop.services.hotline_presence import HotlinePresence
from desktop.services.session import Session
from desktop.state.agent_state import label_of, pause_choices
from desktop.state.call_flow import CallView
from desktop.ui.hotline_state import QUALIFY_KEYS, PauseReasonDialog, WrapUpWindow
from desktop.ui.status_bar import StatusBar
from desktop.ui.tasks import spawn
from shared.schemas.hotline import AgentState

Tell = Callable[[str, str], None]  # (title, message): the status bar and the tray


class MyState(QObject):
    def __init__(self, window: QWidget, session: Session, status: StatusBar, tell: Tell) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.status = status
        self.tell = tell
        self.presence: HotlinePresence | None = session.presence
        self.pause_dialog: PauseReasonDialog | None = None
        self.wrap_up_window: WrapUpWindow | None = None
        self._wrapped: CallView | None = None
        self.timer = QTimer(self)  # « Post-appel » ends by itself (CallFlow.wrap_up_seconds)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._wrap_up_over)
        self.qualify_action = QAction("Qualifier l'appel (Ctrl+Maj+Q)", window)
        self.qualify_action.setShortcut(QKeySequence(QUALIFY_KEYS))
        self.qualify_action.triggered.connect(self.bring_wrap_up)
        window.addAction(self.qualify_action)
        if self.presence is not None:
            self.presence.on_problem.append(self._problem)
            self.presence.on_notice.append(self._notice)
            self.presence.on_qualified.append(self._qualified)
            self.presence.on_settings.append(lambda _settings: self.show_state())  # the labels now known

    # ---- the operator's choice --------------------------------------------------------------------
    def choose(self, state: AgentState) -> None:
        flow = self.session.flow
        if state is AgentState.PAUSE and self.presence is not None:
            self.ask_pause_reason()
            return
        if flow is not None:
            flow.set_operator_state(state)
        self.show_state()

    def ask_pause_reason(self) -> PauseReasonDialog:
        """The reasons of the platform (read again in the background for the next time)."""
        presence = self.presence
        reasons = pause_choices(presence.settings if presence is not None else None)
        if presence is not None:
            spawn(presence.read_settings())
        if self.pause_dialog is not None:
            self.pause_dialog.close()
        dialog = PauseReasonDialog(reasons, self.window)
        dialog.chosen.connect(self._paused)
        dialog.finished.connect(lambda _r: self._pause_dialog_closed(dialog))
        self.pause_dialog = dialog
        dialog.open()
        return dialog

    def _paused(self, code: str | None) -> None:
        if self.presence is not None:
            self.presence.pause(code)
        self.show_state()

    def _pause_dialog_closed(self, dialog: PauseReasonDialog) -> None:
        if self.pause_dialog is dialog:
            self.pause_dialog = None
        dialog.deleteLater()
        self.show_state()  # cancelled: the state shown is the one kept

    def show_state(self) -> None:
        flow = self.session.flow
        if flow is None:
            return
        reasons = self.presence.settings.pause_reasons if self.presence and self.presence.settings else []
        self.status.set_operator_state(flow.operator_state, label_of(reasons, flow.pause_reason))

    # ---- « Post-appel » ---------------------------------------------------------------------------
    def call_changed(self) -> None:
        """After every change of the call flow: the state shown, and a new wrap-up started."""
        flow = self.session.flow
        if flow is None:
            return
        self.show_state()
        if flow.operator_state is not AgentState.AFTER_CALL:
            self._wrapped = None
            self._close_wrap_up()
            return
        if flow.wrapped is self._wrapped and self.timer.isActive():
            return
        self._wrapped = flow.wrapped
        self.timer.start(int(flow.wrap_up_seconds * 1000))  # then « Disponible »
        if self.presence is not None and flow.wrapped is not None and flow.wrapped.record_id:
            self._open_wrap_up(flow.wrapped, flow.wrap_up_seconds)

    def _open_wrap_up(self, view: CallView, seconds: float) -> None:
        self._close_wrap_up()
        presence = self.presence
        codes = presence.settings.qualifications if presence is not None and presence.settings else []
        window = WrapUpWindow(view, codes, seconds, self.window)
        window.qualify.connect(lambda code: self._qualify(view, code))
        window.ready.connect(lambda code: self._ready(view, code))
        self.wrap_up_window = window
        window.show()  # without taking the focus: Ctrl+Maj+Q brings it forward

    def bring_wrap_up(self) -> None:
        if self.wrap_up_window is not None:
            self.wrap_up_window.bring_forward()
        else:
            self.tell("", "Aucun appel en post-appel à qualifier")

    def _qualify(self, view: CallView, code: str) -> None:
        if self.presence is not None:
            self.presence.qualify(view, code)

    def _ready(self, view: CallView, code: str | None) -> None:
        if code is not None:
            self._qualify(view, code)
        if self.presence is not None:
            self.presence.ready()
        else:
            flow = self.session.flow
            if flow is not None:
                flow.end_wrap_up()

    def _wrap_up_over(self) -> None:
        if self.session.flow is not None:
            self.session.flow.end_wrap_up()
        self._close_wrap_up()

    def _close_wrap_up(self) -> None:
        window, self.wrap_up_window = self.wrap_up_window, None
        if window is not None:
            window.close()
            window.deleteLater()

    # ---- what the server says ---------------------------------------------------------------------
    def _problem(self, text: str) -> None:
        self.status.set_state_problem(text)

    def _notice(self, title: str, message: str) -> None:
        self.show_state()
        self.tell(title, message)

    def _qualified(self, text: str, ok: bool) -> None:
        if self.wrap_up_window is not None:
            self.wrap_up_window.said(text)
        if not ok:
            self.tell("Qualification de l'appel", text)

    def close(self) -> None:
        """The session's windows go with it."""
        self.timer.stop()
        self._close_wrap_up()
        if self.pause_dialog is not None:
            self.pause_dialog.close()
