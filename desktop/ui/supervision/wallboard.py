"""« Mode mur d'écran »: a full-screen window in large type for a screen in the room, its figures
read again after each burst of prescription events of the change feed; with the hotline's API, a
second row for the hotline (`hotline_tiles.py`: calls waiting, longest wait, service level,
operators, coloured by thresholds). F11 or Échap leaves it."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from desktop.state import wallboard
from desktop.state.wallboard import WallboardFigures
from desktop.sync.errors import ApiProblem
from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.supervision.hotline_tiles import HotlineTiles
from desktop.ui.tasks import on_loop, spawn
from shared.schemas.feed import FeedEvent

TILE_STYLE = "background: #1e2a38; border-radius: 12px;"
VALUE_STYLE = "color: #ffffff; font-size: 96pt; font-weight: bold;"
LABEL_STYLE = "color: #b0bec5; font-size: 26pt;"
VALUE_COLOURS = {"expired": "#ef5350", "accepted": "#66bb6a", "pending": "#ffca28"}


class WallboardWindow(QWidget):
    refreshed = Signal()

    def __init__(
        self,
        api: SupervisionApi,
        title: str,
        owner: QWidget | None = None,
        hotline: HotlineTiles | None = None,
    ) -> None:
        super().__init__(owner, Qt.WindowType.Window)  # its own window, deleted with its owner
        self.setObjectName("wallboard")
        self.setWindowTitle(f"Centrale — mur d'écran — {title}")
        self.setStyleSheet("QWidget#wallboard { background: #101820; }")
        self.api = api
        self.figures: WallboardFigures | None = None
        column = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setStyleSheet("color: #ffffff; font-size: 34pt; font-weight: bold;")
        column.addWidget(heading)
        grid = QGridLayout()
        grid.setSpacing(24)
        self.values: dict[str, QLabel] = {}
        for index, (key, label, value) in enumerate(WallboardFigures(0, 0, 0, 0, None, None).tiles()):
            tile = QWidget()
            tile.setObjectName(f"tile_{key}")
            tile.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
            tile.setStyleSheet(f"QWidget#tile_{key} {{ {TILE_STYLE} }}")
            inside = QVBoxLayout(tile)
            number = QLabel(value)
            number.setObjectName(f"wall_{key}")
            colour = VALUE_COLOURS.get(key)
            number.setStyleSheet(VALUE_STYLE + (f" color: {colour};" if colour else ""))
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel(label)
            caption.setStyleSheet(LABEL_STYLE)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setWordWrap(True)
            inside.addWidget(number, 1)
            inside.addWidget(caption)
            grid.addWidget(tile, index // 3, index % 3)
            self.values[key] = number
        column.addLayout(grid, 1)
        self.hotline = hotline
        if hotline is not None:
            column.addWidget(hotline)
        self.updated = QLabel("")
        self.updated.setObjectName("wall_updated")
        self.updated.setStyleSheet("color: #78909c; font-size: 16pt;")
        column.addWidget(self.updated)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(wallboard.REFRESH_DELAY_MS)
        self._timer.timeout.connect(on_loop(self.refresh))
        for keys in ("F11", "Escape"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.close)

    def enter(self) -> None:
        """Full screen, figures read at once."""
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        spawn(self.refresh())

    async def refresh(self) -> None:
        now = datetime.now(UTC)
        try:
            today = await self.api.statistics(wallboard.today_period(now))
            recent = await self.api.statistics(wallboard.pending_period(now))
        except ApiProblem as problem:
            self.updated.setText(f"Pas de mise à jour : {problem}")
            return
        if self.hotline is not None:
            await self.hotline.refresh()
        self.show_figures(WallboardFigures.of(today, recent), now)

    def show_figures(self, figures: WallboardFigures, at: datetime) -> None:
        self.figures = figures
        for key, _label, value in figures.tiles():
            self.values[key].setText(value)
        problem = self.hotline.problem if self.hotline is not None else ""
        self.updated.setText(wallboard.updated_line(at) + (f" — {problem}" if problem else ""))
        self.refreshed.emit()

    def on_event(self, event: FeedEvent) -> None:
        if self.hotline is not None and self.isVisible():
            self.hotline.on_event(event)
        if self.isVisible() and wallboard.refreshes(event):
            self._timer.start()
