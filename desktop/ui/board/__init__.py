"""« Tableau de bord »: the live board of prescriptions (model, proxy, view) and its tab."""

from __future__ import annotations

from shiboken6 import Shiboken

from desktop.services.board_feed import BoardReader
from desktop.sync.board_api import BoardApi
from desktop.ui.board.view import BoardView
from desktop.ui.shell import Shell
from desktop.ui.tasks import spawn
from shared.domain import Role
from shared.schemas.feed import FeedEvent

BOARD_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR)


def install_board(shell: Shell) -> BoardView | None:
    """The board's tab (Alt+2) for operators, secretaries and supervisors, live on the session's
    change feed; a row's double-click / Entrée opens it with `shell.open_prescription`."""
    session = shell.session
    if session.user.role not in BOARD_ROLES:
        return None
    view = BoardView(BoardReader(BoardApi(session.client), session.user.role))

    def on_event(event: FeedEvent) -> None:
        if not Shiboken.isValid(view):  # deleted with the main window; the session may be stopping
            session.on_event.remove(on_event)
            return
        view.on_event(event)

    session.on_event.append(on_event)
    shell.add_tab(view, "Tableau de bord", "Alt+2")
    view.open_requested.connect(shell.open_prescription)
    view.patient_case_requested.connect(shell.case_for_patient)  # the tutorial's entry point B
    spawn(view.refresh())
    return view
