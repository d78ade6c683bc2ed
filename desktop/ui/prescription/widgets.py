"""Small pieces the details tabs share: a message line (error in red, success in green), the
French message of a failed API call, and an action's request with its refusal shown."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Generic, TypeVar

import shiboken6
from PySide6.QtWidgets import QLabel, QWidget

from desktop.sync.errors import ApiProblem, RequestRefused
from desktop.ui.wizard.form import ERROR_STYLE, error_label

DONE_STYLE = "color: #1b6e20; font-size: 11px;"
T = TypeVar("T")


class MessageLine(QLabel):
    """Under a form: what went wrong (red) or what was done (green); hidden when empty."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setWordWrap(True)
        self.hide()

    def error(self, text: str) -> None:
        self.setStyleSheet(ERROR_STYLE)
        self._show(text)

    def done(self, text: str) -> None:
        self.setStyleSheet(DONE_STYLE)
        self._show(text)

    def clear_message(self) -> None:
        self.setText("")
        self.hide()

    def _show(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def problem_text(problem: ApiProblem) -> str:
    return problem.full_message() if isinstance(problem, RequestRefused) else str(problem)


def field_error(name: str) -> QLabel:
    label = error_label()
    label.setObjectName(f"error_{name}")
    return label


def show_field_error(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


def alive(widget: QWidget) -> bool:
    """False once Qt deleted the widget (its window closed while a server call was under way):
    the answer is then dropped rather than shown on a deleted widget."""
    return bool(shiboken6.isValid(widget))


@dataclass(frozen=True)
class Done(Generic[T]):
    """The server did it; `value` is its answer."""

    value: T


async def request_action(
    widget: QWidget, message: MessageLine, request: Awaitable[T], prefix: str = ""
) -> Done[T] | None:
    """Awaits an action's request. Refused or unreachable: None, with the French message (after
    `prefix`) on `message` unless `widget` was closed meanwhile. Done: its answer; the caller still
    checks `alive(widget)` before showing it (done on the server, the window gone)."""
    try:
        value = await request
    except ApiProblem as problem:
        if alive(widget):
            message.error(prefix + problem_text(problem))
        return None
    return Done(value)
