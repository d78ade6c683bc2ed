"""The tests' Kamailio ends with the test process that started it, even when that process is killed
without its clean-up (a CI run stopped by hand, a Qt segfault): no registrar left holding a port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.kamailio import Kamailio

ROOT = Path(__file__).resolve().parents[3]

STARTER = """
import os, sys
from pathlib import Path
from tests.support.kamailio import Kamailio
registrar = Kamailio(Path(sys.argv[1]), {"alice": "secret"})
registrar.start()
print(registrar.process.pid, registrar.port, flush=True)
os.kill(os.getpid(), 9)
"""


def _kamailio_processes(session: int) -> list[int]:
    """The processes of the registrar's session (its main process and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[3]) == session:  # state, ppid, pgrp, session
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_registrar_dies_with_the_test_process(tmp_path: Path):
    Kamailio(tmp_path / "probe", {})  # skips here when Kamailio is not installed
    started = subprocess.run(
        [sys.executable, "-c", STARTER, str(tmp_path / "sip")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == -signal.SIGKILL, started.stderr
    main_pid = int(started.stdout.split()[0])  # its own session leader (start_new_session)
    deadline = time.monotonic() + 10
    while _kamailio_processes(main_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _kamailio_processes(main_pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], "Kamailio outlived the process that started it"
