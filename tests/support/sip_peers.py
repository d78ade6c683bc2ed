"""SIP processes for the telephony tests: the operator harness and ``centrale-phone`` peers.

Each runs in its own process (pjsua2 allows one Endpoint per process) and prints JSON lines; a
reader thread collects them so tests can wait for an event matching some fields.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _matches(event: dict[str, Any], fields: dict[str, Any]) -> bool:
    return all(event.get(name) == value for name, value in fields.items())


class JsonLinesProcess:
    def __init__(
        self, argv: list[str], log_path: Path, *, stdin: bool = False, env: dict[str, str] | None = None
    ) -> None:
        self.log_path = log_path
        self._log = log_path.open("ab")
        env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            start_new_session=True,
        )
        self.events: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                with self._changed:
                    self.events.append(json.loads(line))
                    self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def find(self, event: str, **fields: Any) -> list[dict[str, Any]]:
        with self._changed:
            return [
                e
                for e in self.events
                if e["event"] == event and all(e.get(k) == v for k, v in fields.items())
            ]

    def wait_for(self, event: str, timeout: float = 10.0, after: int = 0, **fields: Any) -> dict[str, Any]:
        """The first event named ``event`` with these field values, at index ≥ ``after``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for found in self.events[after:]:
                    if found["event"] == event and _matches(found, fields):
                        return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"no {event} {fields} within {timeout} s; got {[e['event'] for e in self.events]};"
                        f" log: {self.log_tail()}"
                    )
                self._changed.wait(min(left, 0.2))

    def find_index(self, event: str, **fields: Any) -> int:
        """Index of the first matching event (for ``after=``); the event must be there."""
        with self._changed:
            return next(i for i, e in enumerate(self.events) if e["event"] == event and _matches(e, fields))

    def mark(self) -> int:
        with self._changed:
            return len(self.events)

    def wait_exit(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=8)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2500:] if self.log_path.exists() else ""


class OperatorProcess(JsonLinesProcess):
    """``tests.support.sip_operator``: the operator's softphone, screen pop and call log."""

    def __init__(self, directory: Path, *, phone_directory: Path | None = None, lookup_delay: float = 0.0,
                 tone: int = 0, record: bool = False) -> None:  # fmt: skip
        self.call_log = directory / "calls.sqlite3"
        self.record_dir = directory / "operator-recordings"
        self.record_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "tests.support.sip_operator", "--call-log", str(self.call_log),
                "--lookup-delay", str(lookup_delay), "--tone", str(tone)]  # fmt: skip
        if phone_directory is not None:
            argv += ["--directory", str(phone_directory)]
        if record:
            argv += ["--record-dir", str(self.record_dir)]
        super().__init__(argv, directory / "operator.log", stdin=True)
        self.port = int(self.wait_for("Ready", timeout=15)["port"])

    def command(self, cmd: str, timeout: float = 10.0, **args: Any) -> Any:
        mark = self.mark()
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, "args": args}) + "\n")
        self.process.stdin.flush()
        done = self.wait_for("CommandDone", timeout=timeout, after=mark, cmd=cmd)
        assert done["error"] is None, done["error"]
        return done["result"]

    def command_error(self, cmd: str, timeout: float = 10.0, **args: Any) -> str:
        """Sends a command that must fail; returns its error."""
        mark = self.mark()
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, "args": args}) + "\n")
        self.process.stdin.flush()
        done = self.wait_for("CommandDone", timeout=timeout, after=mark, cmd=cmd)
        assert done["error"] is not None, f"{cmd} should have failed"
        return str(done["error"])

    def quit(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            try:
                self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.process.stdin.flush()
                self.process.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                pass
        self.stop()


def centrale_phone(directory: Path, name: str, *args: str) -> JsonLinesProcess:
    """``centrale-phone <args> --json`` (through ``python -m telephony.cli``), logging to ``name``.log."""
    argv = [sys.executable, "-m", "telephony.cli", *args, "--json"]
    return JsonLinesProcess(argv, directory / f"{name}.log")
