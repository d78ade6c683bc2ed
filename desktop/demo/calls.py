"""« Simuler un appel entrant » of the demo, Qt-free: who calls, the command, the callers' lifetime.

The demo's softphone listens for direct calls on a free UDP port of 127.0.0.1 (no registrar). A
simulated call is a real SIP call placed by a second process, ``python -m telephony.cli call``
(pjsua2 allows one Endpoint per process), presenting the phone number of one of the demo server's
professionals, so the screen pop identifies the caller through the server. Every caller process
is killed when the desktop stops.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from shared.child_process import die_with_parent

# The demo server's professionals pro01…pro36 have the phones « 01 99 00 00 01 » … « 01 99 00 00 36 »
# (server/demo_data.py: ``demo_phone(n)`` for n in 1..36; tests/unit/desktop/test_demo_call.py
# checks both stay in step — the desktop never imports the server).
DEMO_PROFESSIONALS = 36
DEFAULT_DURATION = 180.0  # seconds the caller stays once answered, then hangs up


def demo_professional_phone(n: int) -> str:
    """The national number of the demo professional n° ``n`` (as the server's ``demo_phone``)."""
    return f"01 99 00 {n // 100 % 100:02d} {n % 100:02d}"


@dataclass(frozen=True, slots=True)
class DemoCaller:
    number: str  # digits as presented in From, e.g. "0199000007"
    display_name: str


def pick_caller(rng: random.Random | None = None, professionals: int = DEMO_PROFESSIONALS) -> DemoCaller:
    """One of the demo server's professionals, at random."""
    n = (rng or random.Random()).randint(1, professionals)  # noqa: S311 - a demo caller, not a secret
    number = demo_professional_phone(n).replace(" ", "")
    return DemoCaller(number, f"Cabinet démo {n:02d}")


def direct_uri(user: str, port: int, host: str = "127.0.0.1") -> str:
    """Where a direct call reaches the desktop's softphone: ``sip:operateur@127.0.0.1:PORT``."""
    if not 0 < port < 65536:
        raise ValueError(f"port SIP invalide : {port}")
    return f"sip:{user}@{host}:{port}"


def caller_command(
    target: str, caller: DemoCaller, duration: float = DEFAULT_DURATION, python: str = sys.executable
) -> list[str]:
    """The second process placing the call (JSON lines on its standard output)."""
    return [
        python,
        "-m",
        "telephony.cli",
        "call",
        target,
        "--from-user",
        caller.number,
        "--display-name",
        caller.display_name,
        "--duration",
        f"{duration:g}",
        "--json",
    ]


class DemoCalls:
    """Places simulated calls to ``target`` and owns the caller processes until ``stop_all``.

    ``target`` may be set later (the softphone's port is known once it started)."""

    def __init__(
        self,
        target: str | None = None,
        *,
        duration: float = DEFAULT_DURATION,
        log_dir: Path | None = None,
        rng: random.Random | None = None,
        python: str = sys.executable,
    ) -> None:
        self.target = target
        self.duration = duration
        self.log_dir = log_dir
        self.rng = rng or random.Random()  # noqa: S311 - a demo caller, not a secret
        self.python = python
        self._processes: list[subprocess.Popen[bytes]] = []
        self._logs: dict[int, IO[bytes]] = {}
        self.placed = 0

    def place(self, caller: DemoCaller | None = None) -> tuple[DemoCaller, subprocess.Popen[bytes]]:
        """Starts one caller process; raises ``OSError`` when it cannot be started, ``RuntimeError``
        (French) when there is no softphone to call yet."""
        if self.target is None:
            raise RuntimeError("le téléphone de démonstration n'est pas démarré")
        self.reap()
        chosen = caller or pick_caller(self.rng)
        self.placed += 1
        output: IO[bytes] | int = subprocess.DEVNULL
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = (self.log_dir / f"appel-demo-{self.placed:03d}.log").open("ab")
        try:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                caller_command(self.target, chosen, self.duration, self.python),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,  # its own process group: killed as a whole
                preexec_fn=die_with_parent,  # never outlives a desktop that crashed
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except OSError:
            if not isinstance(output, int):
                output.close()
            raise
        if not isinstance(output, int):
            self._logs[process.pid] = output
        self._processes.append(process)
        return chosen, process

    def running(self) -> list[subprocess.Popen[bytes]]:
        self.reap()
        return list(self._processes)

    def reap(self) -> None:
        """Forgets the callers that ended (their exit status collected: no zombie)."""
        for process in [p for p in self._processes if p.poll() is not None]:
            self._forget(process)

    def _forget(self, process: subprocess.Popen[bytes]) -> None:
        self._processes.remove(process)
        log = self._logs.pop(process.pid, None)
        if log is not None:
            log.close()

    def stop_all(self, timeout: float = 3.0) -> None:
        """Every caller still running: SIGTERM to its group (it hangs up), SIGKILL after ``timeout``."""
        for process in list(self._processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in list(self._processes):
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            self._forget(process)
