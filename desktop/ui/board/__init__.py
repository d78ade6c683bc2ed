"""« Tableau de bord »: the live board of prescriptions (model, proxy, view) and its tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiboken6 import Shiboken

from desktop.sync.board_api import BoardApi
from desktop.ui.board.view import BoardView
from desktop.ui.tasks import spawn
from shared.domain import Role
from shared.schemas.dispatch import EventView

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

BOARD_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR)


def install_board(window: MainWindow) -> BoardView | None:
    """The board's tab (Alt+2) for operators, secretaries and supervisors, live on the session's
    change feed; a row's double-click / Entrée opens it with `window.open_prescription`."""
    session = window.session
    if session.user.role not in BOARD_ROLES:
        return None
    view = BoardView(BoardApi(session.client, session.user.role))

    def on_event(event: EventView) -> None:
        if not Shiboken.isValid(view):  # deleted with the main window; the session may be stopping
            session.on_event.remove(on_event)
            return
        view.on_event(event)

    session.on_event.append(on_event)
    window.add_tab(view, "Tableau de bord", "Alt+2")
    opener = getattr(window, "open_prescription", None)
    if opener is not None:
        view.open_requested.connect(opener)
    spawn(view.refresh())
    return view
