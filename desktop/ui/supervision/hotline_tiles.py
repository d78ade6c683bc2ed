"""The hotline's row of the wall-board (F11, issue 19): calls waiting, longest wait, the day's
service level, operators available (and the others by state), each tile coloured by the thresholds
of `desktop/state/hotline_figures.py` (green ok, amber watch, red alert). Read with the wall-board,
again after a burst of `AgentStateChanged` / `HotlineQueueChanged` events; the longest wait grows
every second between reads."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from desktop.state import hotline_figures, wallboard
from desktop.state.hotline_board import OperatorsBoard
from desktop.state.hotline_figures import LEVEL_COLOURS, Level, Tile
from desktop.sync.errors import ApiProblem
from desktop.sync.hotline_api import HotlineApi
from desktop.ui.tasks import on_loop
from shared.schemas.feed import AgentStateChanged, FeedEvent, HotlineQueueChanged
from shared.schemas.hotline import HotlineFigures, HotlineSettings

TILE_STYLE = "background: #1e2a38; border-radius: 12px;"
VALUE_STYLE = "font-size: 72pt; font-weight: bold;"
LABEL_STYLE = "color: #b0bec5; font-size: 20pt;"


class HotlineTiles(QWidget):
    def __init__(self, api: HotlineApi) -> None:
        super().__init__()
        self.setObjectName("hotline_tiles")
        self.api = api
        self.board = OperatorsBoard()
        self.settings: HotlineSettings | None = None
        self.today: HotlineFigures | None = None
        self.tiles: list[Tile] = []
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(24)
        for index, tile in enumerate(self._tiles()):
            box = QWidget()
            box.setObjectName(f"tile_{tile.key}")
            box.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
            box.setStyleSheet(f"QWidget#tile_{tile.key} {{ {TILE_STYLE} }}")
            inside = QVBoxLayout(box)
            number = QLabel(tile.value)
            number.setObjectName(f"wall_{tile.key}")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel(tile.label)
            caption.setStyleSheet(LABEL_STYLE)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setWordWrap(True)
            inside.addWidget(number, 1)
            inside.addWidget(caption)
            grid.addWidget(box, 0, index)
            self.values[tile.key], self.captions[tile.key] = number, caption
        self.problem = ""
        self._read_soon = QTimer(self)
        self._read_soon.setSingleShot(True)
        self._read_soon.setInterval(wallboard.REFRESH_DELAY_MS)
        self._read_soon.timeout.connect(on_loop(self.refresh))
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.show_tiles)
        self._tick.start()
        self.show_tiles()

    def _tiles(self) -> list[Tile]:
        now = datetime.now(UTC)
        level_seconds = self.settings.service_level_seconds if self.settings else 20
        target = self.settings.service_level_target_percent if self.settings else 80
        return hotline_figures.wall_tiles(
            self.board.waiting(),
            self.board.longest_wait(now),
            self.today,
            level_seconds,
            target,
            self.board.counts(),
        )

    async def refresh(self) -> None:
        now = datetime.now(UTC)
        period = wallboard.today_period(now)
        try:
            self.settings = await self.api.settings()
            agents = await self.api.agents()
            queue = await self.api.queue()
            self.today = (await self.api.statistics(period.since, period.until)).total
        except ApiProblem as problem:
            self.problem = f"Standard non actualisé : {problem}"
            return
        self.problem = ""
        self.board.load(agents)
        self.board.load_queue(queue, now)
        self.show_tiles()

    def on_event(self, event: FeedEvent) -> None:
        if isinstance(event.payload, (AgentStateChanged, HotlineQueueChanged)):
            self.board.apply(event)
            self.show_tiles()
            if not self._read_soon.isActive():
                self._read_soon.start()

    def show_tiles(self) -> None:
        self.tiles = self._tiles()
        for tile in self.tiles:
            colour = LEVEL_COLOURS[tile.level] if tile.level is not Level.NONE else "#ffffff"
            self.values[tile.key].setText(tile.value)
            self.values[tile.key].setStyleSheet(f"{VALUE_STYLE} color: {colour};")
            self.captions[tile.key].setText(tile.label)

    def tile(self, key: str) -> Tile:
        return next(t for t in self.tiles if t.key == key)
