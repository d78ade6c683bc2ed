"""The supervisor's view — « Statistiques » (Alt+5) with the hotline's figures, « Opérateurs »
(Alt+7: the hotline's operators and queue, live), « Mode mur d'écran » (F11) — and the desktop
notifications of every staff member (system tray, « Notifications » menu)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from desktop.state.tray_notices import KnownRequest, NoticeDecider, NoticeSwitches
from desktop.state.window_title import capacity, window_title
from desktop.sync.errors import ApiProblem
from desktop.sync.hotline_api import HotlineApi
from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.shell import Shell
from desktop.ui.supervision.hotline_stats import HotlineStatsSection
from desktop.ui.supervision.hotline_tiles import HotlineTiles
from desktop.ui.supervision.operators_view import OperatorsView
from desktop.ui.supervision.stats_view import StatisticsView
from desktop.ui.supervision.tray import TrayNotifier
from desktop.ui.supervision.wallboard import WallboardWindow
from desktop.ui.tasks import spawn
from shared.domain import Role
from shared.schemas.auth import UserOut

NOTICE_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR)
WALLBOARD_KEYS = "F11"


class Supervision(QObject):
    """What was installed on a main window (``owner``); closed with it (an event filter on its
    close)."""

    def __init__(self, owner: QWidget, notifier: TrayNotifier) -> None:
        super().__init__(owner)
        self.notifier = notifier
        self.statistics: StatisticsView | None = None
        self.operators: OperatorsView | None = None
        self.wallboard: WallboardWindow | None = None
        self.wallboard_action: QAction | None = None
        owner.installEventFilter(self)

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


def install_supervision(
    shell: Shell, owner: QWidget, known: Callable[[int], KnownRequest | None]
) -> Supervision | None:
    """Notifications for the staff; for a supervisor also the statistics tab and the wall-board.
    Everything follows the session's change feed. ``owner`` is the Qt parent of what is made here
    (the main window); ``known``, what the board shows of a request (``tray_notices.board_known``)."""
    session = shell.session
    user = session.user
    if user.role not in NOTICE_ROLES:
        return None
    api = SupervisionApi(session.client)
    switches = NoticeSwitches.from_setting(shell.settings.notifications_off)
    decider = NoticeDecider(api, user, switches, known=known)
    notifier = TrayNotifier(decider, shell, owner)
    session.on_event.append(notifier.on_event)
    shell.add_menu(notifier.menu)
    supervision = Supervision(owner, notifier)
    if user.role is Role.SUPERVISOR:
        hotline = HotlineApi(session.client)
        view = StatisticsView(api, HotlineStatsSection(hotline))
        session.on_event.append(view.on_event)
        shell.add_tab(view, "Statistiques", "Alt+5")
        spawn(view.refresh())
        operators = OperatorsView(hotline)
        session.on_event.append(operators.on_event)
        shell.add_tab(operators, "Opérateurs", "Alt+7")
        spawn(operators.refresh())
        supervision.operators = operators
        title = f"{user.display_name} — {capacity(user)}"
        wall = WallboardWindow(api, title, owner, HotlineTiles(hotline))
        session.on_event.append(wall.on_event)
        action = QAction("Mode mur d'écran", owner)  # the menu shows its shortcut itself
        action.setObjectName("wallboard_action")
        action.setShortcut(QKeySequence(WALLBOARD_KEYS))
        action.triggered.connect(supervision.toggle_wallboard)
        display = QMenu("Affichage", owner)
        display.addAction(action)
        shell.add_menu(display)
        supervision.statistics, supervision.wallboard, supervision.wallboard_action = view, wall, action
        if user.network_ids:
            spawn(_name_networks(api, user, owner, wall))
    return supervision


async def _name_networks(api: SupervisionApi, user: UserOut, owner: QWidget, wall: WallboardWindow) -> None:
    """A network supervisor's titles name his networks once their names are read."""
    try:
        names = await api.network_names()
    except ApiProblem:
        return  # « n° 3 » stays
    owner.setWindowTitle(window_title(user, names))
    wall.setWindowTitle(f"Centrale — mur d'écran — {user.display_name} — {capacity(user, names)}")
