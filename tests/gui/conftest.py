"""Qt UI tests: offscreen Qt, one qasync loop per test, a real central server for the session."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from desktop.ui import tasks
from tests.integration.conftest import start_live
from tests.support.live import LiveServer
from tests.support.pcsc_fixtures import pcscd, slots  # the card tests' (per module)

__all__ = ["pcscd", "slots"]


@pytest.fixture(scope="session")
def gui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from start_live("sqlite", tmp_path_factory.mktemp("gui-server"))


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """Python's cyclic collector runs wherever an allocation triggers it: in qasync's worker thread
    or in the middle of pytest's teardown it finalised Qt wrappers there (a segfault about once in
    ten runs). Here it runs only on the GUI thread, after the test's loop is closed and Qt's
    deferred deletions are done."""
    gc.disable()
    try:
        yield
    finally:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        gc.enable()


SETTLE_SECONDS = 30


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    qapp.setQuitOnLastWindowClosed(False)  # as the application does: closing a window never ends the loop
    event_loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    try:
        event_loop.run_until_complete(asyncio.wait_for(tasks.settle(), SETTLE_SECONDS))
    except TimeoutError:
        # A test that failed with its window open leaves its session's followers running: cancelled
        # here (wait_for cancels the gathered tasks), the failure is reported instead of a hang.
        event_loop.close()
        asyncio.set_event_loop(None)
        raise AssertionError(f"UI tasks still running {SETTLE_SECONDS} s after the test: cancelled") from None
    event_loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings and the local store of each test in its own directory."""
    monkeypatch.setenv("CENTRALE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CENTRALE_DESKTOP_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(autouse=True)
def _no_window_left_open(qapp: QApplication) -> Iterator[None]:
    """A test ends with every window it opened closed, as a session's end closes its own: a window
    left visible (a call popup's application-wide F2, a dialog) would act in the next tests."""
    yield
    left = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for window in left:
        window.close()
        window.deleteLater()
    assert not left, f"windows left open: {[(type(w).__name__, w.windowTitle()) for w in left]}"
