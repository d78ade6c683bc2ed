"""The main window's first size: wide enough for every toolbar action (none hidden behind the
toolbar's » button), at least the size the board is drawn for, never more than the screen unless
the toolbars need it (a window manager then fits it)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QMainWindow, QToolBar

PREFERRED = QSize(1280, 800)  # the board's columns and the wizard beside it on a 1366×768 screen
TOOLBAR_SLACK = 24  # the toolbars' handles and the window frame's margins


def toolbars_width(window: QMainWindow) -> int:
    """What the toolbars of the top area take side by side, each with all its actions shown."""
    bars = [
        bar
        for bar in window.findChildren(QToolBar)
        if window.toolBarArea(bar) is Qt.ToolBarArea.TopToolBarArea and not bar.isHidden()
    ]
    return sum(bar.sizeHint().width() for bar in bars) + TOOLBAR_SLACK


def first_size(window: QMainWindow) -> QSize:
    screen = window.screen()
    available = screen.availableGeometry().size() if screen is not None else PREFERRED
    width = max(toolbars_width(window), min(PREFERRED.width(), available.width()))
    height = min(PREFERRED.height(), available.height())
    return QSize(width, max(height, 480))
