"""A demo child (server, pcscd, SIP caller) ends when the desktop that started it dies without its
clean-up: here the parent ends with os._exit, as in a crash."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARENT = """
import subprocess, sys
from shared.child_process import die_with_parent
child = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(60)"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn={preexec},
)
print(child.pid, flush=True)
import os
os._exit(0)
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie: an orphan that died is reparented to init (or a subreaper), which may
    reap it late; until then kill(pid, 0) still succeeds."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _child_alive_after_parent_died(preexec: str) -> bool:
    parent = [sys.executable, "-c", PARENT.format(preexec=preexec)]
    done = subprocess.run(parent, capture_output=True, text=True, timeout=30, check=True)
    pid = int(done.stdout.strip())
    deadline = time.monotonic() + 5
    try:
        while time.monotonic() < deadline:
            if not _running(pid):
                return False
            time.sleep(0.05)
        return True
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_with_its_parent():
    assert _child_alive_after_parent_died("None")  # the check can fail: an orphan lives on
    assert not _child_alive_after_parent_died("die_with_parent")
