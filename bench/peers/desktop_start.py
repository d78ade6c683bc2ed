"""Issue 21, item 8: the desktop's cold start to the login window against a bare PySide6 window.

Ours is bench/desktop_start.py's measurement: ``centrale`` (``desktop.app:main`` behind its boot
wrapper, which marks the login dialog's first paint) launched as a fresh interpreter with empty
config and data directories, offscreen Qt, pointed at a real central server process (SQLite), and
left at the login window. The floor is bench/peers/desktop_start_bare.py — a fresh interpreter,
PySide6, one small window — launched the same way (``python -c``, the same environment). Runs
alternate ours / floor after one warm-up of each (the OS file cache); RSS and peak RSS (VmHWM) are
read ``SETTLE_S`` seconds after the first paint.

    .venv/bin/python -m bench.peers.desktop_start [--quick]
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

from bench.desktop_start import BOOT, fresh_desktop_env, painted_and_rss
from bench.peers import standalone, table
from bench.peers.figures import median_and_p95
from tests.integration.conftest import start_live
from tests.support.live import LiveServer

BARE = Path(__file__).with_name("desktop_start_bare.py")
SETTLE_S = 2.0
FLOOR = "bare PySide6 window"


def one_start(argv: list[str], window: str, workdir: Path) -> tuple[float, float, float]:
    """(launch → ``window`` painted s, RSS MB, peak RSS MB) of a fresh process."""
    with tempfile.TemporaryDirectory(dir=workdir, prefix="start-") as folder:
        painted, rss, peak = painted_and_rss(
            argv, fresh_desktop_env(Path(folder), xcb=False), window, SETTLE_S, Path(folder)
        )
    return painted[window], rss, peak


def run(quick: bool, workdir: Path) -> list[table.Row]:
    runs = 3 if quick else 7
    workdir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(dir=workdir, prefix="desktop-server-") as folder,
        contextlib.contextmanager(start_live)("sqlite", Path(folder)) as live,
    ):
        assert isinstance(live, LiveServer)
        starts = {
            "ours": ([sys.executable, "-c", BOOT, "--server", live.process.base_url], "LoginDialog"),
            "floor": ([sys.executable, "-c", BARE.read_text(encoding="utf-8")], "Bare"),
        }
        for argv, window in starts.values():
            one_start(argv, window, workdir)  # warm the OS file cache
        measured: dict[str, list[tuple[float, float, float]]] = {"ours": [], "floor": []}
        for _ in range(runs):
            for name, (argv, window) in starts.items():  # alternately: the same load on both
                measured[name].append(one_start(argv, window, workdir))
    ours, floor = measured["ours"], measured["floor"]
    note = f"{runs} runs each, alternated, offscreen Qt"
    figures = (("launch → login window painted", "s"), (f"RSS at the login window (+{SETTLE_S:g} s)", "MB"),
               ("peak RSS (VmHWM)", "MB"))  # fmt: skip
    return [
        row
        for index, (figure, unit) in enumerate(figures)
        for row in median_and_p95(
            "desktop start", figure, unit, [m[index] for m in ours], floor_name=FLOOR,
            floor=[m[index] for m in floor], note=note,
        )
    ]  # fmt: skip


if __name__ == "__main__":
    standalone.main(run, __doc__.splitlines()[0])
