"""What a view may ask of the main window: the ``Shell`` every ``install_*`` takes.

The views (board, patient files, calls, statistics and notifications, a request's details) get
the session and a few services of the window — a request's details, the wizard for a patient, a
status-bar message, a place for their tab and menu — and nothing else: they never import the main
window (``MainWindow`` is the one ``Shell``, checked by mypy where it installs them).
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from PySide6.QtWidgets import QMenu, QWidget

from desktop.services.session import Session
from desktop.settings import Settings


class Shell(Protocol):
    @property
    def session(self) -> Session:
        """The logged-in session: client, store, change feed (``on_event``), softphone, user."""

    @property
    def settings(self) -> Settings:
        """The application's settings (the notification switches are kept there)."""

    def open_prescription(self, prescription_id: int) -> QWidget:
        """A request's details window (one per request, brought to the front when open)."""

    def case_for_patient(self, patient_id: int) -> asyncio.Task[QWidget | None]:
        """« Déclenchement pour ce patient »: the wizard, prefilled with the patient (read first); the
        task's result is its window, None when the patient could not be read."""

    def show_message(self, text: str, timeout_ms: int) -> None:
        """A line in the main window's status bar."""

    def add_tab(self, widget: QWidget, title: str, shortcut: str) -> None:
        """A view in its tab of the main window, brought to the front by ``shortcut``."""

    def add_menu(self, menu: QMenu) -> None:
        """A menu in the main window's menu bar."""
