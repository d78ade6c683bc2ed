"""The main window: dashboard suited to the role, « Nouveau déclenchement » (Ctrl+N), the wizard
windows, the call popup, the outbox, and the status bar. It is the views' ``Shell``
(``desktop/ui/shell.py``): what they may ask of it, and nothing else."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.services.case_sender import SendOutcome, SubmissionMismatch, reopen
from desktop.services.session import Session
from desktop.settings import SecretStore, Settings
from desktop.state.call_flow import CallView
from desktop.state.times import clock_time
from desktop.state.tray_notices import board_known
from desktop.state.window_title import window_title
from desktop.state.wizard.wizard import Wizard, WizardIncomplete
from desktop.store.outbox import OutboxItem, OutboxState
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem, SessionExpired
from desktop.sync.follower import FeedState
from desktop.sync.outbox_pusher import LOGIN_REQUIRED as OUTBOX_LOGIN_REQUIRED
from desktop.ui.back_office import install_back_office
from desktop.ui.board import install_board
from desktop.ui.call_popup import CallPopup
from desktop.ui.calls import install_calls
from desktop.ui.card_binding import CardBinding
from desktop.ui.drafts import DraftsDialog
from desktop.ui.login import LoginDialog
from desktop.ui.messaging import install_messaging
from desktop.ui.my_state import MyState
from desktop.ui.outbox_view import OutboxView
from desktop.ui.patients import install_patient_files
from desktop.ui.prescription import DetailsWindows
from desktop.ui.professionals import install_professionals
from desktop.ui.session_actions import SessionActions
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.status_bar import StatusBar
from desktop.ui.supervision import Supervision, install_supervision
from desktop.ui.tasks import spawn
from desktop.ui.window_size import first_size
from desktop.ui.wizard.success_dialog import SuccessDialog
from desktop.ui.wizard.window import WizardWindow
from shared.domain import Role
from shared.schemas.auth import LoginResponse
from shared.schemas.feed import FeedEvent
from shared.schemas.hotline import AgentState
from telephony.events import PhoneEvent, RegistrationChanged

log = logging.getLogger(__name__)
CASE_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR)
PHONE_ROLES = (Role.OPERATOR, Role.SUPERVISOR)  # who answers the hotline: « Mon état », « Appels »
WIZARD_CANCELLED = "Déclenchement annulé : le brouillon est gardé — « Reprendre un brouillon » (Ctrl+Maj+B)"


class MainWindow(QMainWindow):
    success_shown = Signal(object)  # the SuccessDialog (tests, screenshots)
    settings_changed = Signal(object, object)  # the Settings saved, the French notes of what applies when

    def __init__(self, session: Session, settings: Settings, secrets: SecretStore) -> None:
        super().__init__()
        self.setObjectName("main")
        self.session = session
        self.settings = settings
        self.secrets = secrets
        user = session.user
        self.setWindowTitle(window_title(user))  # a supervisor's says what he watches
        self.resize(980, 640)  # until shown: then every toolbar action fits (``_fit_first_size``)
        self._sized = False
        self.wizards: dict[str, WizardWindow] = {}
        self.success: SuccessDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.details = DetailsWindows(session, self)  # a request's details, one window each
        self.status = StatusBar(self.set_operator_state)
        self.setStatusBar(self.status)
        toolbar = QToolBar("Actions")
        self.addToolBar(toolbar)
        self.new_case_action = QAction("Nouveau déclenchement (Ctrl+N)", self)
        self.new_case_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_case_action.triggered.connect(self.new_case)
        self.new_case_action.setEnabled(user.role in CASE_ROLES)
        toolbar.addAction(self.new_case_action)
        if user.role in PHONE_ROLES:  # the hotline's phone: a secretary's window has none of it
            state_action = QAction("Mon état (Ctrl+E)", self)
            state_action.setShortcut(QKeySequence("Ctrl+E"))
            state_action.triggered.connect(self._choose_state)
            toolbar.addAction(state_action)
        self.status.show_operator_state(user.role in PHONE_ROLES)
        self.supervision: Supervision | None = None
        self.my_state = MyState(self, session, self.status, self.tell_operator)  # sent to the server
        self.wrap_up = self.my_state.timer  # « Post-appel » ends by itself (the server's delay)
        self.settings_action = QAction("Paramètres (Ctrl+,)", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        toolbar.addAction(self.settings_action)
        self.settings_dialog: SettingsDialog | None = None
        drafts_action = QAction("Reprendre un brouillon (Ctrl+Maj+B)", self)
        drafts_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        drafts_action.triggered.connect(self.resume_drafts)
        self.addAction(drafts_action)  # a key of the window, named where a wizard is cancelled
        self.session_actions = SessionActions(self, session)  # « Session »: logout, change of user, quit
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.setCentralWidget(self.tabs)
        home = QWidget()
        column = QVBoxLayout(home)
        welcome = QLabel(f"<h2>Bonjour {user.display_name}</h2>{user.role.label}")
        column.addWidget(welcome)
        if user.role not in CASE_ROLES:
            column.addWidget(QLabel("Votre rôle ne crée pas de déclenchement depuis ce poste."))
        self.outbox_view = OutboxView(
            session.store.outbox,
            lambda item: reopen(session.client, item),
            self.open_reopened,
            self.case_for_patient,
        )
        self.outbox_list = self.outbox_view.list
        column.addWidget(self.outbox_view)
        self.last_event = QLabel("En attente des mises à jour du serveur")
        self.last_event.setObjectName("last_event")
        column.addWidget(self.last_event)
        self.add_tab(home, "Accueil", "Alt+1")
        session.on_outbox.append(self._outbox_changed)
        session.on_feed_state.append(self._feed_state)
        session.on_event.append(self._event)
        session.on_login_required.append(self.ask_login)
        self.popup: CallPopup | None = None
        self.closed_popup: CallPopup | None = None
        if session.flow is not None and session.softphone is not None:
            self.popup = CallPopup(session.flow)
            self.popup.new_case.connect(self.new_case_from_call)
            session.flow.on_change = self._call_changed
            session.softphone.add_listener(self._phone_event)
            self.status.sip.setText("Téléphonie : enregistrement…")
        self.cards = CardBinding(self.status, self.front_wizard, lambda: self.settings.card_reader)
        self._install_tabs()
        self._refresh_outbox()

    # ---- tabs -----------------------------------------------------------------------------------
    def _install_tabs(self) -> None:
        """The views beside « Accueil », by role: one line per view (board, patients, calls,
        statistics)."""
        self.board = install_board(self)  # « Tableau de bord » (Alt+2)
        self.patient_files = install_patient_files(self)  # « Fiches patients » (Alt+3)
        self.calls_view = install_calls(self)  # « Appels » (Alt+4)
        known = board_known(self.board.model.state if self.board is not None else None)
        self.supervision = install_supervision(self, self, known)  # « Statistiques » (Alt+5), F11, notices
        self.professionals = install_professionals(self)  # « Professionnels » (Alt+6), the hotline for a pro
        self.back_office = install_back_office(self, self.tabs.widget(0))  # admin's back office, Alt+2…5
        notifier = self.supervision.notifier if self.supervision is not None else None
        self.messaging = install_messaging(self, self.details, notifier)  # « Messagerie » (Alt+8)

    def add_tab(self, widget: QWidget, title: str, shortcut: str) -> None:
        """A view in its tab; its shortcut (shown in the tab's tooltip) brings it to the front."""
        index = self.tabs.addTab(widget, title)
        self.tabs.setTabToolTip(index, f"{title} ({shortcut})")
        action = QAction(self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda: self.tabs.setCurrentWidget(widget))
        self.addAction(action)

    def add_menu(self, menu: QMenu) -> None:
        self.menuBar().addMenu(menu)

    def show_message(self, text: str, timeout_ms: int = 10_000) -> None:
        self.status.showMessage(text, timeout_ms)

    def open_prescription(self, prescription_id: int) -> QWidget:
        """A prescription's details (a board row, a patient page's line): one window each."""
        return self.details.open(prescription_id)

    def front_wizard(self) -> WizardWindow | None:
        """The wizard the operator works in (the active one, else the last opened)."""
        windows = list(self.wizards.values())
        active = [w for w in windows if w.isActiveWindow()]
        if active:
            return active[-1]
        return windows[-1] if windows else None

    # ---- status ---------------------------------------------------------------------------------
    def _feed_state(self, state: FeedState) -> None:
        self.status.set_feed_state(state)
        if state is FeedState.LOGIN_REQUIRED:
            spawn(self._check_session())

    async def _check_session(self) -> None:
        """The follower saw a 401: ask for a login unless one was made meanwhile (the outbox's)."""
        client = self.session.client
        try:
            await client.me()
        except SessionExpired:
            self.ask_login(FeedState.LOGIN_REQUIRED.label)
            return
        except ApiProblem:
            pass  # unreachable: the follower retries on its own once resumed
        self.session.follower.resume(client.token or "")

    def _event(self, event: FeedEvent) -> None:
        # In the users' words: when the hotline's data last changed (never a sequence number or type).
        self.last_event.setText(f"Données à jour : dernière modification reçue à {clock_time(event.at)}")

    def _phone_event(self, event: PhoneEvent) -> None:
        if isinstance(event, RegistrationChanged):
            self.status.set_registration(event)

    def _call_changed(self, view: CallView | None) -> None:
        self.my_state.call_changed()  # the state shown; « Post-appel » and its window
        if self.popup is not None:
            self.popup.refresh(view)

    def _choose_state(self) -> None:
        self.status.operator.setFocus()
        self.status.operator.showPopup()

    def set_operator_state(self, state: AgentState) -> None:
        """« Mon état » chosen (a pause asks its reason first); sent to the server by the session."""
        self.my_state.choose(state)

    def tell_operator(self, title: str, message: str) -> None:
        """What the operator must know now: the status bar, and the tray when there is one."""
        self.show_message(f"{title} — {message}" if title else message, 30_000)
        if title and self.supervision is not None:
            self.supervision.notifier.show_text(title, message)

    # ---- wizards --------------------------------------------------------------------------------
    def new_case(self) -> WizardWindow:
        return self.open_wizard(Wizard.from_dashboard(self.session.operator))

    def case_for_patient(
        self, patient_id: int, like: Wizard | None = None
    ) -> asyncio.Task[WizardWindow | None]:
        """« Déclenchement pour ce patient »: the wizard with the patient loaded (search and patient
        steps filled), standing on « Appelant ». ``like``: keep that wizard's caller and call (from
        the success dialog). The task's result is the window (None when the patient could not be
        read: the reason in the status bar)."""
        return spawn(self._case_for_patient(patient_id, like))

    async def _case_for_patient(self, patient_id: int, like: Wizard | None) -> WizardWindow | None:
        try:
            patient = await self.session.client.get_patient(patient_id)
        except ApiProblem as problem:
            self.show_message(f"Patient n° {patient_id} illisible : {problem}", 10_000)
            return None
        wizard = Wizard.for_patient(self.session.operator, patient)
        if like is not None:
            wizard.caller = dataclasses.replace(like.caller)
            wizard.call_record_id = like.call_record_id
        return self.open_wizard(wizard)

    def open_reopened(self, wizard: Wizard) -> WizardWindow:
        """A refused item of « Mes envois » back in its wizard (the server's message under the page)."""
        window = self.wizards.get(wizard.draft_id)
        if window is None:
            window = self.open_wizard(wizard)
            window.show_errors()
        window.activateWindow()
        return window

    def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is None:
            phone, reader = self.session.softphone, self.cards.reader
            dialog = SettingsDialog(self.settings, self.secrets, phone, reader, parent=self)
            dialog.saved.connect(self.settings_changed.emit)
            dialog.finished.connect(self._settings_closed)
            self.settings_dialog = dialog
            dialog.open()
        return self.settings_dialog

    def _settings_closed(self, _result: int) -> None:
        dialog, self.settings_dialog = self.settings_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def new_case_from_call(self, call_id: int) -> WizardWindow | None:
        flow = self.session.flow
        return self.open_wizard(flow.new_case(call_id)) if flow is not None else None

    def open_wizard(self, wizard: Wizard) -> WizardWindow:
        store = self.session.store
        wizard.add_listener(lambda w: store.save_draft(w.to_json()))
        store.save_draft(wizard.to_json())
        window = WizardWindow(wizard, self.session.client, self.send, parent=self)  # never behind this one
        window.cancelled.connect(self._wizard_cancelled)
        self.cards.attach(window)  # its card buttons read the reader
        self.wizards[wizard.draft_id] = window
        window.closed.connect(lambda draft_id: self.wizards.pop(draft_id, None))
        window.show()
        window.activateWindow()
        return window

    def _wizard_cancelled(self, _draft_id: str) -> None:
        self.show_message(WIZARD_CANCELLED, 20_000)

    def resume_drafts(self) -> DraftsDialog | None:
        """« Reprendre un brouillon » (Ctrl+Maj+B): the drafts not open in a wizard now."""
        drafts = [d for d in self.session.store.drafts() if d.get("draft_id") not in self.wizards]
        if not drafts:
            self.show_message("Aucun brouillon à reprendre")
            return None
        dialog = DraftsDialog(drafts)
        dialog.setParent(self, dialog.windowFlags())
        dialog.resume.connect(self.resume_draft)
        dialog.discard.connect(self.session.store.delete_draft)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def offer_drafts(self) -> DraftsDialog | None:
        """At start-up: the unfinished wizards of this operator, to resume or discard."""
        drafts = self.session.store.drafts()
        if not drafts:
            return None
        dialog = DraftsDialog(drafts)
        dialog.resume.connect(self.resume_draft)
        dialog.discard.connect(self.session.store.delete_draft)
        dialog.open()
        return dialog

    def resume_draft(self, draft_id: str) -> WizardWindow | None:
        data = self.session.store.draft(draft_id)
        if data is None:
            return None
        return self.open_wizard(Wizard.from_json(data))

    @property
    def send_wait(self) -> float:
        """Seconds « Déclencher » waits for the server's answer (then « En attente d'envoi »)."""
        return self.session.sender.wait_seconds

    @send_wait.setter
    def send_wait(self, seconds: float) -> None:
        self.session.sender.wait_seconds = seconds

    async def send(self, wizard: Wizard) -> None:
        """« Déclencher »: the case sender queues it and waits for the answer; then the outcome."""
        window = self.wizards.get(wizard.draft_id)
        try:
            outcome = await self.session.sender.send(wizard)
        except WizardIncomplete:
            if window is not None:
                window.show_submission_errors()
            return
        except SubmissionMismatch as mismatch:  # logged by the sender; never a silent no-op
            if window is not None:
                window.show_failure(str(mismatch))
            self.show_message(str(mismatch), 30_000)
            return
        if window is not None:
            window.closed.disconnect()
            window.close()
            self.wizards.pop(wizard.draft_id, None)
        self.show_outcome(outcome, wizard)

    def show_outcome(self, outcome: SendOutcome, wizard: Wizard) -> SuccessDialog:
        item, patient_id = outcome.item, outcome.item.patient_id
        known = patient_id is not None
        service = wizard.caller.service
        dialog = SuccessDialog(outcome.created, service, failure=outcome.failure, patient_known=known)
        dialog.another_patient.connect(lambda: self._another_patient(wizard))
        if patient_id is not None:
            dialog.same_patient.connect(lambda: self.case_for_patient(patient_id, like=wizard))
        if item.state is OutboxState.FAILED:  # settled from « Mes envois » or at once from here
            dialog.reopen.connect(lambda: self.outbox_view.reopen_item(item.id))
        self.success = dialog
        dialog.finished.connect(lambda _result: self._success_closed(dialog))
        dialog.open()
        self.success_shown.emit(dialog)
        return dialog

    def _success_closed(self, dialog: SuccessDialog) -> None:
        if self.success is dialog:
            self.success = None

    def _another_patient(self, previous: Wizard) -> None:
        """« Autre patient »: same caller (same call), a new patient."""
        wizard = Wizard(previous.entry, call_record_id=previous.call_record_id)
        wizard.caller = dataclasses.replace(previous.caller)
        self.open_wizard(wizard)

    # ---- outbox and session -----------------------------------------------------------------------
    def _outbox_changed(self, _item: OutboxItem) -> None:
        self._refresh_outbox()

    def _refresh_outbox(self) -> None:
        self.outbox_view.refresh()

    def ask_login(self, message: str) -> None:
        """Expired session: the login dialog over the open wizards (nothing is closed)."""
        if self.login_dialog is not None:
            # the change feed and the outbox both see an expired session, in either order: the
            # outbox's message (cases waiting to be sent) says more than the feed's, keep it
            if message == OUTBOX_LOGIN_REQUIRED:
                self.login_dialog.notice.setText(message)
            return
        dialog = LoginDialog(self.settings, self.secrets, message=message)
        dialog.user.setText(self.session.user.username)
        dialog.user.setReadOnly(True)
        dialog.server.setText(self.session.client.server_url)  # this session's server, even if
        dialog.server.setReadOnly(True)  # « Paramètres » changed it meanwhile (next login)
        dialog.logged_in.connect(self._logged_in_again)
        dialog.finished.connect(self._login_closed)
        self.login_dialog = dialog
        dialog.open()

    def _login_closed(self, _result: int) -> None:
        dialog, self.login_dialog = self.login_dialog, None
        if dialog is not None:
            dialog.deleteLater()  # never left for the interpreter's exit (after the QApplication)

    def _logged_in_again(self, client: ApiClient, login: LoginResponse) -> None:
        token = login.access_token
        spawn(client.aclose())  # the dialog's own client: this session keeps its own
        self.session.client.token = token
        self.session.resume(token)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._sized:
            self._sized = True
            self.resize(first_size(self))
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.session_actions.may_close(event):  # a call up, items waiting: asked first
            return
        self._close_own_windows()
        super().closeEvent(event)

    def _close_own_windows(self) -> None:
        """The session's windows go with it, the parentless ones too (the call popup, the last
        « Déclenchement réussi »): after a change of user no patient stays on screen, and no
        popup of a past session keeps its application-wide keys (F2 would become ambiguous)."""
        for window in list(self.wizards.values()):
            window.close()
        self.my_state.close()
        if self.messaging is not None:
            self.messaging.close()
        if self.success is not None:
            self.success.close()
            self.success = None
        if self.popup is not None:
            # The call flow's last changes no longer show it; the window itself stays referenced
            # (its wrapper finalised here on the GUI thread with the main window, never by a
            # collection on another thread).
            self.closed_popup, self.popup = self.popup, None
            self.closed_popup.close()
