"""Coroutines started from Qt slots on the qasync loop: kept referenced, failures logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)
_running: set[asyncio.Task[Any]] = set()


def spawn(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Runs ``coroutine`` on the event loop (never blocks the GUI thread)."""
    task = asyncio.ensure_future(coroutine)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("UI task failed", exc_info=task.exception())


async def settle() -> None:
    """Waits for the tasks started so far (tests, shutdown)."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)
