"""The supervisor's view — « Statistiques » (Alt+5), « Mode mur d'écran » (F11) — and the desktop
notifications of every staff member (system tray, « Notifications » menu)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence

from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.supervision.stats_view import StatisticsView
from desktop.ui.supervision.tray import TrayNotifier
from desktop.ui.supervision.wallboard import WallboardWindow
from desktop.ui.tasks import spawn
from desktop.workflows.board import Section
from desktop.workflows.tray_notices import KnownRequest, NoticeDecider, NoticeSwitches
from shared.domain import Role

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

NOTICE_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR)
WALLBOARD_KEYS = "F11"


class Supervision(QObject):
    """What was installed on a main window; closed with it (an event filter on its close)."""

    def __init__(self, window: MainWindow, notifier: TrayNotifier) -> None:
        super().__init__(window)
        self.notifier = notifier
        self.statistics: StatisticsView | None = None
        self.wallboard: WallboardWindow | None = None
        self.wallboard_action: QAction | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.close()
        return False

    def toggle_wallboard(self) -> None:
        if self.wallboard is None:
            return
        if self.wallboard.isVisible():
            self.wallboard.close()
        else:
            self.wallboard.enter()

    def close(self) -> None:
        self.notifier.close()
        if self.wallboard is not None:
            self.wallboard.close()


def board_lookup(window: MainWindow) -> Callable[[int], KnownRequest | None]:
    """What the board of this window shows of a request (None: not on it, or no board)."""

    def known(prescription_id: int) -> KnownRequest | None:
        board = getattr(window, "board", None)
        state = getattr(getattr(board, "model", None), "state", None)
        row = state.row(prescription_id) if state is not None else None
        if row is None:
            return None
        mine = row.section is Section.MINE
        return KnownRequest(row.id, row.case_id, row.case_number, row.profession, row.care_type, mine)

    return known


def install_supervision(window: MainWindow) -> Supervision | None:
    """Notifications for the staff; for a supervisor also the statistics tab and the wall-board.
    Everything follows the session's change feed."""
    session = window.session
    user = session.user
    if user.role not in NOTICE_ROLES:
        return None
    api = SupervisionApi(session.client)
    switches = NoticeSwitches.from_setting(window.settings.notifications_off)
    decider = NoticeDecider(api, user, switches, known=board_lookup(window))
    notifier = TrayNotifier(decider, window, window.settings)
    session.on_event.append(notifier.on_event)
    window.menuBar().addMenu(notifier.menu)
    supervision = Supervision(window, notifier)
    if user.role is Role.SUPERVISOR:
        view = StatisticsView(api)
        session.on_event.append(view.on_event)
        window.add_tab(view, "Statistiques", "Alt+5")
        spawn(view.refresh())
        wall = WallboardWindow(api, f"Centrale — {user.display_name}", window)
        session.on_event.append(wall.on_event)
        action = QAction(f"Mode mur d'écran ({WALLBOARD_KEYS})", window)
        action.setObjectName("wallboard_action")
        action.setShortcut(QKeySequence(WALLBOARD_KEYS))
        action.triggered.connect(supervision.toggle_wallboard)
        window.menuBar().addMenu("Affichage").addAction(action)
        supervision.statistics, supervision.wallboard, supervision.wallboard_action = view, wall, action
    return supervision
