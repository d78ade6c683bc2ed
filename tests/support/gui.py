"""Helpers of the Qt UI tests: the qasync loop, keyboard typing where the focus is, an in-memory keyring."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from desktop.services.session import Session
from desktop.settings import SecretStore, Settings
from desktop.sync.client import ApiClient
from desktop.ui.main_window import MainWindow
from desktop.ui.wizard.page import StepPage
from telephony.api import Softphone
from tests.support.keyrings import MemoryKeyring


def run(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, Any], timeout: float = 60.0) -> Any:
    """Runs a test body on the qasync loop (Qt events and asyncio tasks both advance)."""
    return loop.run_until_complete(asyncio.wait_for(coroutine, timeout))


async def wait_for(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def focused(window: QWidget) -> QWidget:
    widget = window.focusWidget()
    return widget if widget is not None else window


# The keys are sent from inside a coroutine: never ``processEvents()`` there (qasync would run
# other tasks' steps inside this one); ``await asyncio.sleep(0)`` lets the loop handle what follows.


async def press(
    window: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """One key to whatever has the keyboard focus in ``window`` (as the operator's keyboard would)."""
    QTest.keyClick(focused(window), key, modifier)
    await asyncio.sleep(0)


async def type_text(window: QWidget, text: str) -> None:
    """Types ``text`` key by key; accented letters (« Hélène ») as their own keys."""
    widget = focused(window)
    for char in text:
        if ord(char) < 128:
            QTest.keyClick(widget, char)  # type: ignore[call-overload]
        else:
            code = ord(char.upper())
            key = Qt.Key(code) if code < 256 else Qt.Key.Key_unknown
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, key, char, Qt.KeyboardModifier.NoModifier)
    await asyncio.sleep(0)


async def tab(window: QWidget, times: int = 1) -> None:
    for _ in range(times):
        await press(window, Qt.Key.Key_Tab)


async def open_main_window(
    base_url: str,
    username: str,
    password: str,
    directory: Path,
    softphone: Softphone | None = None,
    sip_user: str | None = None,
) -> MainWindow:
    """What the application does after the login: a session and its main window, syncing
    (``sip_user``: the SIP account the softphone registered, what the hotline rings)."""
    client = ApiClient(base_url)
    login = await client.login(username, password)
    session = Session(
        client,
        login.user,
        directory=directory,
        softphone=softphone,
        feed_head=login.feed_head,
        sip_user=sip_user,
    )
    window = MainWindow(
        session, Settings(server_url=base_url, username=username), SecretStore(MemoryKeyring())
    )
    window.show()
    session.start()
    await activate(window)
    return window


async def activate(window: QWidget) -> None:
    """Window shortcuts (Ctrl+N…) need the window to be the active one, as on a desktop."""
    window.activateWindow()
    await wait_for(lambda: QApplication.activeWindow() is window, what="the window to be active")


async def close_main_window(window: MainWindow) -> None:
    window.close()
    await window.session.stop()


def line_text(page: StepPage, name: str) -> str:
    """The text of a line-edit field of a wizard page."""
    widget = page.form.widgets[name]
    assert isinstance(widget, QLineEdit)
    return widget.text()
