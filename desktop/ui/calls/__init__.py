"""« Appels » (Alt+4): the calls to return and the call log."""

from __future__ import annotations

from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.calls.view import CallsView
from desktop.ui.shell import Shell
from desktop.ui.tasks import spawn
from shared.domain import Role

CALL_ROLES = (Role.OPERATOR, Role.SUPERVISOR)  # the hotline's calls: not a practice's secretary


def install_calls(shell: Shell) -> CallsView | None:
    """The « Appels » tab for the staff who take calls, live on the session's change feed;
    « Rappeler » dials through the session's softphone when there is one."""
    session = shell.session
    if session.user.role not in CALL_ROLES:
        return None
    view = CallsView(SupervisionApi(session.client), session.softphone)
    session.on_event.append(view.on_event)
    shell.add_tab(view, "Appels", "Alt+4")
    spawn(view.refresh())
    return view
