"""« Messagerie » (issue 20) in the desktop: the tab for operators and supervisors (Alt+8), live
from the session's change feed, its notices in the tray, and « Écrire au professionnel » from a
request's details (a thread with the acceptor, and the requester when registered, linked to the
request). The Qt-free part is ``desktop/services/messaging.py`` and ``desktop/state/messaging*.py``."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from desktop.services.messaging import MessagingService
from desktop.state.messaging import thread_of
from desktop.state.messaging_compose import NewThread
from desktop.state.tray_notices import Notice, NoticeSwitches
from desktop.sync.errors import ApiProblem
from desktop.sync.follower import FeedState
from desktop.sync.messaging_api import MessagingApi
from desktop.ui.messaging.new_thread import NewThreadDialog
from desktop.ui.messaging.view import MessagingView
from desktop.ui.prescription import DetailsWindows
from desktop.ui.shell import Shell
from desktop.ui.supervision.tray import TrayNotifier
from desktop.ui.tasks import spawn
from shared.domain import Role
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.feed import FeedEvent
from shared.schemas.messaging import RecipientOut

log = logging.getLogger(__name__)
MESSAGING_ROLES = (Role.OPERATOR, Role.SUPERVISOR)
NO_ACCEPTOR = "Personne n'a encore accepté cette demande : cherchez le destinataire par son nom."


class Messaging:
    """What was installed: the service, the tab, and « Écrire au professionnel »."""

    def __init__(self, shell: Shell, notifier: TrayNotifier | None) -> None:
        session = shell.session
        self.shell = shell
        self.notifier = notifier
        switches = (lambda: notifier.decider.switches) if notifier is not None else NoticeSwitches
        self.service = MessagingService(MessagingApi(session.client), session.user.id, switches=switches)
        self.view = MessagingView(self.service)
        self.service.on_notice.append(self._notice)
        session.on_event.append(self.on_event)
        session.on_feed_state.append(self._feed_state)
        if notifier is not None:
            notifier.open_thread = self.show_thread

    def on_event(self, event: FeedEvent) -> None:
        if thread_of(event, self.service.user_id) is not None:  # only the user's threads cost a task
            spawn(self._follow(event))

    async def _follow(self, event: FeedEvent) -> None:
        try:
            await self.service.on_event(event)
        except ApiProblem as problem:
            log.info("thread of event %s not read again: %s", event.seq, problem)

    def _feed_state(self, state: FeedState) -> None:
        if state in (FeedState.LIVE, FeedState.POLLING) and not self.view.loaded:
            spawn(self.view.refresh())  # the first read failed: the server is back

    def _notice(self, notice: Notice) -> None:
        if self.notifier is None or self.view.showing(notice.thread_id):
            return  # on screen, in the active window: that is no news
        self.notifier.show(notice)

    def show_thread(self, thread_id: int) -> None:
        """A notice clicked: the tab, the thread open."""
        self.view.bring_forward()
        spawn(self.view.open_thread(thread_id))

    # ---- « Écrire au professionnel » ----------------------------------------------------------------
    def write_about(self, parent: QWidget, view: PrescriptionView) -> NewThreadDialog:
        """« Nouveau message » linked to the request, its acceptor and its requester (when
        registered) ticked, only people who may see its patient offered."""
        new = NewThread(
            subject=f"Fiche #{view.case_number.lstrip('#')} — {view.profession}",
            patient_id=view.patient.id if view.patient is not None else None,
            prescription_id=view.id,
        )
        preset: list[RecipientOut] = []
        if view.accepted_by is not None and view.accepted_by.id != self.service.user_id:
            preset.append(
                RecipientOut(
                    user_id=view.accepted_by.id,
                    name=view.accepted_by.name,
                    role="professional",
                    detail=view.profession,
                )
            )
        about = f"Au sujet de la fiche #{view.case_number.lstrip('#')} ({view.profession}, {view.care_type})"
        if view.accepted_by is None:
            about += f"\n{NO_ACCEPTOR}"
        requester_id = view.requester.get("user_id")
        if isinstance(requester_id, int) and requester_id not in {
            self.service.user_id,
            *(p.user_id for p in preset),
        }:
            name = str(view.requester.get("name") or "Demandeur")
            detail = str(view.requester.get("profession") or "")
            preset.append(RecipientOut(user_id=requester_id, name=name, role="professional", detail=detail))
        return self.view.new_thread(new, preset, about, parent)

    def close(self) -> None:
        self.view.close_dialogs()


def install_messaging(
    shell: Shell, details: DetailsWindows, notifier: TrayNotifier | None
) -> Messaging | None:
    """The « Messagerie » tab for operators and supervisors; « Écrire au professionnel » in the
    details windows; the notices through the tray (``notifier``)."""
    if shell.session.user.role not in MESSAGING_ROLES:
        return None
    messaging = Messaging(shell, notifier)
    shell.add_tab(messaging.view, "Messagerie", "Alt+8")
    details.write = messaging.write_about
    spawn(messaging.view.refresh())
    return messaging
