"""One run of a directory import command (``import-rpps``, ``import-mssante``) as the benchmarks
time it: a child process against the database at ``url``, its wall time and peak RSS (``wait4``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.server_process import ServerProcess


def timed_import(command: str, url: str, directory: Path, path: Path) -> tuple[float, float, str]:
    """Seconds, the importer's peak RSS in MB and what it printed; raises if it failed."""
    env = ServerProcess(url, directory, test_clock=False).env
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", command, str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if status != 0:
        raise RuntimeError(f"import failed ({status}):\n{output}")
    return seconds, usage.ru_maxrss / 1024, output
