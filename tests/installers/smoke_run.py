"""Runs ``centrale --smoke`` (desktop/self_test.py) and follows its ``SMOKE`` lines as they come."""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from pathlib import Path

from shared.child_process import die_with_parent
from tests.installers.workstation import DEMO_PASSWORD, DEMO_USER, isolated_env


class SmokeRun:
    def __init__(
        self,
        program: Path,
        home: Path,
        server_url: str,
        *,
        sip_uri: str = "",
        sip_password: str = "",
        wait_stdin: bool = False,
        password: str = DEMO_PASSWORD,
    ) -> None:
        command = [str(program), "--smoke", "--server", server_url, "--user", DEMO_USER, "--timeout", "60"]
        if sip_uri:
            command += ["--sip-uri", sip_uri]
        if wait_stdin:
            command.append("--wait-stdin")
        env = isolated_env(home, CENTRALE_SMOKE_PASSWORD=password, CENTRALE_SMOKE_SIP_PASSWORD=sip_password)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=die_with_parent,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, prefix: str, timeout: float = 90.0) -> str:
        """The first output line starting with ``prefix``; fails with the whole output otherwise."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no « {prefix} » line; output:\n" + "\n".join(self.lines[-80:]))

    def release(self) -> None:
        """``--wait-stdin``: the line that lets it log out and quit."""
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = 60.0) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        while (line := self._queue.get(timeout=5)) is not None:
            self.lines.append(line)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)
