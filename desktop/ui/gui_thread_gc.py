"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, the collector runs in whatever thread an allocation triggers it — qasync's worker
thread, pjsua2's or the card reader's — and may finalise Qt wrappers there, which crashes Qt
(seen in the GUI tests about once in ten runs). The collector is switched off and a timer of the
Qt event loop runs it instead: the young generation often, a full collection now and then.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

YOUNG_EVERY_MS = 500
FULL_EVERY = 120  # young collections between two full ones (about a minute)


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._collect)

    def start(self) -> None:
        gc.disable()
        self._timer.start(YOUNG_EVERY_MS)

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        gc.enable()

    def _collect(self) -> None:
        self._ticks += 1
        gc.collect(2 if self._ticks % FULL_EVERY == 0 else 0)
