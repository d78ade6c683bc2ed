"""Coroutines started from Qt slots on the qasync loop: kept referenced, failures logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)
_running: set[asyncio.Task[Any]] = set()


def spawn(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Runs ``coroutine`` on the event loop (never blocks the GUI thread)."""
    task = asyncio.ensure_future(coroutine)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def on_loop(start: Callable[[], Coroutine[Any, Any, Any]]) -> Callable[[], None]:
    """A Qt slot (a timer's timeout) that spawns ``start()`` — unless no event loop runs any more: a
    view's timer firing while the application or a test shuts down, after its loop is closed,
    would start work on no loop (or on the next one), for a window that is going away."""

    def slot() -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            log.debug("no event loop running: %s not started", getattr(start, "__qualname__", start))
            return
        spawn(start())

    return slot


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("UI task failed", exc_info=task.exception())


async def settle() -> None:
    """Waits for the tasks started so far (tests, shutdown)."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)
