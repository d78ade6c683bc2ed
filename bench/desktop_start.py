"""Cold start of the operator desktop: ``centrale`` launched as a fresh process → the login window
painted; then logged in (a real central server process) → the main window painted → its RSS.

Each run is a new interpreter (``desktop.app:main``, the ``centrale`` entry point) with its own
empty config and data directories, offscreen Qt (``--xcb`` under Xvfb for a real X server). A
small boot wrapper marks, on stdout, the first paint of the login dialog and of the main window
(an import hook wraps their ``paintEvent``; nothing else in the application is changed) and, for
the RSS figure, types the operator's credentials in the login window as an operator would. RSS is
read from ``/proc/<pid>/status`` after the main window has been up for ``--settle`` seconds.

    .venv/bin/python -m bench.desktop_start [--runs 7] [--settle 3] [--xcb]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from tests.integration.conftest import start_live
from tests.support.live import PASSWORD, LiveServer

START_TARGET_S = 2.0
RSS_TARGET_MB = 300.0
BOOT = r"""
import importlib.abc, importlib.machinery, os, sys, time

MARKS = {"desktop.ui.login": "LoginDialog", "desktop.ui.main_window": "MainWindow"}


def mark(module_name, module):
    cls = getattr(module, MARKS[module_name])
    original = cls.paintEvent
    state = {"done": False}

    def paintEvent(self, event):
        original(self, event)
        if not state["done"]:
            state["done"] = True
            print(f"PAINTED {MARKS[module_name]} {time.time():.6f}", flush=True)
            if module_name == "desktop.ui.login" and os.environ.get("BENCH_USER"):
                log_in(self)

    cls.paintEvent = paintEvent


def log_in(dialog):
    from PySide6.QtCore import QTimer

    dialog.user.setText(os.environ["BENCH_USER"])
    dialog.password.setText(os.environ["BENCH_PASSWORD"])
    dialog.connect_button.click()
    timer = QTimer(dialog)

    def session_only():  # no secure keyring here: « Continuer pour cette session seulement »
        if dialog.session_only.isVisible():
            timer.stop()
            dialog.session_only.click()

    timer.timeout.connect(session_only)
    timer.start(20)


class Marker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name not in MARKS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            mark(name, module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, Marker())
sys.argv = ["centrale", *sys.argv[1:]]
from desktop.app import main

sys.exit(main())
"""


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of the process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def fresh_desktop_env(folder: Path, xcb: bool) -> dict[str, str]:
    """A first start's environment: empty config and data directories under ``folder``, no keyring,
    offscreen Qt (or xcb)."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb" if xcb else "offscreen",
        "CENTRALE_CONFIG_DIR": str(folder / "config"),
        "CENTRALE_DESKTOP_DATA_DIR": str(folder / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }


def paints_until(
    process: subprocess.Popen[str], last: str, started: float, errors: TextIO
) -> dict[str, float]:
    """Window name → seconds from ``started`` (time.time()) to its first paint, read from the
    ``PAINTED <name> <time>`` lines of the process until ``last`` is painted."""
    painted: dict[str, float] = {}
    assert process.stdout is not None
    while last not in painted:
        line = process.stdout.readline()
        if not line:
            code = process.wait()
            errors.seek(0)
            raise RuntimeError(
                f"the process stopped before painting {last} ({code}):\n{errors.read()[-3000:]}"
            )
        if line.startswith("PAINTED "):
            _, name, at = line.split()
            painted[name] = float(at) - started
    return painted


def painted_and_rss(
    argv: list[str], env: dict[str, str], last: str, settle: float, folder: Path
) -> tuple[dict[str, float], float, float]:
    """``argv`` launched as a fresh process: seconds to each window's first paint until ``last``,
    then its RSS and peak RSS (MB) ``settle`` seconds later; the process is stopped afterwards."""
    errors = (folder / "stderr.txt").open("w+", encoding="utf-8")
    started = time.time()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        painted = paints_until(process, last, started, errors)
        time.sleep(settle)
        rss, peak = rss_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors.close()
    return painted, rss, peak


def one_run(base_url: str, username: str, settle: float, xcb: bool) -> tuple[float, float, float, float]:
    """(launch → login painted s, launch → main window painted s, RSS MB, peak RSS MB)."""
    with tempfile.TemporaryDirectory(prefix="bench-desktop-") as folder:
        env = {**fresh_desktop_env(Path(folder), xcb), "BENCH_USER": username, "BENCH_PASSWORD": PASSWORD}
        argv = [sys.executable, "-c", BOOT, "--server", base_url]
        painted, rss, peak = painted_and_rss(argv, env, "MainWindow", settle, Path(folder))
    return painted["LoginDialog"], painted["MainWindow"], rss, peak


def summary(name: str, values: list[float], unit: str, target: float) -> str:
    p50, worst = statistics.median(values), max(values)
    verdict = "OK" if worst <= target else "AU-DESSUS"
    return (
        f"{name:<34} p50 {p50:7.2f} {unit}  max {worst:7.2f} {unit}  (cible ≤ {target:g} {unit}: {verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds in the main window before RSS")
    parser.add_argument("--xcb", action="store_true", help="a real X server (run under xvfb-run)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="bench-desktop-server-") as folder,
        contextlib.contextmanager(start_live)("sqlite", Path(folder)) as live,
    ):
        assert isinstance(live, LiveServer)
        user, _client = live.user("operator")
        one_run(live.process.base_url, user["username"], 0.0, args.xcb)  # warm the OS file cache
        runs = [
            one_run(live.process.base_url, user["username"], args.settle, args.xcb) for _ in range(args.runs)
        ]
    load = os.getloadavg()
    print(f"desktop start, {args.runs} runs ({'xcb' if args.xcb else 'offscreen'}), load {load[0]:.2f}")
    print(summary("launch → login window painted", [r[0] for r in runs], "s", START_TARGET_S))
    print(summary("launch → main window (logged in)", [r[1] for r in runs], "s", float("inf")))
    print(summary(f"RSS in the main window (+{args.settle:g} s)", [r[2] for r in runs], "MB", RSS_TARGET_MB))
    print(summary("peak RSS (VmHWM)", [r[3] for r in runs], "MB", RSS_TARGET_MB))


if __name__ == "__main__":
    main()
