"""Shared setup of the web app's benchmarks: a real server (SQLite or PostgreSQL) with the tests'
administrator, and the hotline's side through the API (tests.support.dispatch.Desk)."""

from __future__ import annotations

import contextlib
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.integration.conftest import start_live
from tests.support.live import LiveServer


@contextlib.contextmanager
def live_server(kind: str = "sqlite", **env: str) -> Iterator[LiveServer]:
    with tempfile.TemporaryDirectory() as directory:
        started = start_live(kind, Path(directory), **env)
        server = next(started)
        try:
            yield server
        finally:
            with contextlib.suppress(StopIteration):
                next(started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float], unit: str = "ms") -> str:
    return (
        f"p50 {statistics.median(values):.0f} {unit}, p95 {percentile(values, 95):.0f} {unit}, "
        f"max {max(values):.0f} {unit} ({len(values)} samples)"
    )
