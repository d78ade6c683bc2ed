"""« Simuler un appel entrant », Qt-free: the demo caller, its command and the callers' lifetime."""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

import pytest

from desktop.demo.calls import (
    DEMO_PROFESSIONALS,
    DemoCaller,
    DemoCalls,
    caller_command,
    demo_professional_phone,
    direct_uri,
    pick_caller,
)
from server.demo_data import demo_phone
from shared.validation import normalize_phone


def test_the_demo_numbers_are_the_demo_servers_professionals() -> None:
    # the desktop never imports the server: the formula is copied, and kept in step here
    for n in range(1, DEMO_PROFESSIONALS + 1):
        assert demo_professional_phone(n) == demo_phone(n)
    rng = random.Random(7)
    picked = {pick_caller(rng).number for _ in range(300)}
    expected = {demo_phone(n).replace(" ", "") for n in range(1, DEMO_PROFESSIONALS + 1)}
    assert picked <= expected
    assert len(picked) > DEMO_PROFESSIONALS // 2
    caller = pick_caller(random.Random(1))
    assert normalize_phone(caller.number).startswith("+33199")
    assert caller.display_name.startswith("Cabinet démo ")


def test_the_caller_command_places_a_real_call_from_a_second_process() -> None:
    command = caller_command(
        direct_uri("operateur", 5099), DemoCaller("0199000007", "Cabinet démo 07"), 42.5, python="/py"
    )
    assert command == [
        "/py", "-m", "telephony.cli", "call", "sip:operateur@127.0.0.1:5099",
        "--from-user", "0199000007", "--display-name", "Cabinet démo 07", "--duration", "42.5", "--json",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="port SIP invalide"):
        direct_uri("operateur", 0)


SLEEPER = (
    "import signal, sys, time; "
    "signal.signal(signal.SIGTERM, signal.SIG_IGN) if 'stubborn' in sys.argv else None; time.sleep(60)"
)


def _fake_python(tmp_path: Path, stubborn: bool = False) -> str:
    """An interpreter stand-in: sleeps whatever it is given (ignoring SIGTERM when stubborn)."""
    script = tmp_path / ("stubborn-python" if stubborn else "python")
    flag = " stubborn" if stubborn else ""
    script.write_text(f'#!/bin/sh\nexec {sys.executable} -c "{SLEEPER}"{flag}\n')
    script.chmod(0o755)
    return str(script)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_callers_are_started_logged_and_killed_on_stop(tmp_path: Path) -> None:
    calls = DemoCalls(log_dir=tmp_path / "logs", python=_fake_python(tmp_path))
    with pytest.raises(RuntimeError, match="pas démarré"):
        calls.place()  # no softphone port yet
    calls.target = direct_uri("operateur", 5099)
    caller, first = calls.place()
    _, second = calls.place(DemoCaller("0199000001", "Cabinet démo 01"))
    assert caller.number.startswith("01990000")
    assert calls.running() == [first, second]
    logs = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert logs == ["appel-demo-001.log", "appel-demo-002.log"]
    assert os.getpgid(first.pid) == first.pid  # its own process group: killed as a whole
    calls.stop_all()
    assert calls.running() == []
    assert first.returncode is not None
    assert second.returncode is not None
    assert not _alive(first.pid)
    assert not _alive(second.pid)


def test_a_caller_ignoring_sigterm_is_killed(tmp_path: Path) -> None:
    calls = DemoCalls(direct_uri("operateur", 5099), python=_fake_python(tmp_path, stubborn=True))
    _, process = calls.place()
    time.sleep(0.3)  # the SIGTERM handler is installed
    started = time.monotonic()
    calls.stop_all(timeout=0.5)
    assert process.returncode == -9
    assert time.monotonic() - started < 5


def test_finished_callers_are_reaped_and_a_missing_interpreter_is_an_error(tmp_path: Path) -> None:
    calls = DemoCalls(direct_uri("operateur", 5099), python="/bin/true")
    _, process = calls.place()
    process.wait(timeout=5)
    assert calls.running() == []  # reaped: no zombie kept
    missing = DemoCalls(direct_uri("operateur", 5099), python=str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError):
        missing.place()
    assert missing.running() == []
