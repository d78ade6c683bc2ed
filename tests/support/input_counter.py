"""Counted keyboard and mouse input for the GUI tests: every key press and click an operator makes
goes through an ``InputCounter``, so a test can state how many a task takes and fail when a change
makes it take more.

A key press is one key, a chord (Ctrl+N, Alt+N) counts as one; typing ``text`` counts one per
character, and characters of the case's own content (names, phone, comment) are also counted in
``content`` so that the overhead of the UI (``keys - content``) can be read apart.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from tests.support import gui


@dataclass
class InputCounter:
    keys: int = 0  # key presses, a chord as one
    content: int = 0  # of which characters of the case's data
    clicks: int = 0
    log: list[str] = field(default_factory=list)

    async def press(
        self, window: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.keys += 1
        self.log.append(key_name(key, modifier))
        await gui.press(window, key, modifier)

    async def tab(self, window: QWidget, times: int = 1) -> None:
        for _ in range(times):
            await self.press(window, Qt.Key.Key_Tab)

    async def type(self, window: QWidget, text: str, *, content: bool = True) -> None:
        """``content``: the case's own data (a name, a comment), not a choice in a list."""
        self.keys += len(text)
        if content:
            self.content += len(text)
        self.log.append(repr(text))
        await gui.type_text(window, text)

    async def click(self, widget: QWidget) -> None:
        self.clicks += 1
        self.log.append(f"clic {widget.objectName() or type(widget).__name__}")
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(5, 5))
        await asyncio.sleep(0)

    @property
    def overhead(self) -> int:
        """Keys that are not the case's data: navigation, choices, validation."""
        return self.keys - self.content

    def summary(self) -> str:
        return (
            f"{self.keys} touches (dont {self.content} de saisie, {self.overhead} de navigation/choix), "
            f"{self.clicks} clic(s)"
        )


def key_name(key: Qt.Key, modifier: Qt.KeyboardModifier) -> str:
    """« Ctrl+N », « Tab » (the log of what was pressed)."""
    name = key.name.removeprefix("Key_")
    if modifier & Qt.KeyboardModifier.ControlModifier:
        name = f"Ctrl+{name}"
    if modifier & Qt.KeyboardModifier.AltModifier:
        name = f"Alt+{name}"
    return name
