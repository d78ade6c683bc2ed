"""Fixtures of the installer tests: the PyInstaller bundle built once per run (nothing cached
between runs), the demo server started **from the bundle** (``centrale -m server.cli demo``, the
command the frozen ``centrale --demo`` uses), and a Kamailio registrar."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.child_process import die_with_parent
from tests.installers.workstation import SIP_PASSWORD, SIP_USER, isolated_env
from tests.support.kamailio import Kamailio, require
from tests.support.server_process import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``installers/build_bundle.sh`` from scratch: the one-folder bundle ``…/dist/centrale``."""
    out = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    build = subprocess.run(
        ["bash", str(ROOT / "installers" / "build_bundle.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-6000:]
    folder = out / "dist" / "centrale"
    assert (folder / "centrale").is_file()
    print(f"bundle built in {time.monotonic() - started:.0f} s")
    return folder


class BundledDemoServer:
    """The demo server run by the bundle itself, SQLite in ``directory``."""

    def __init__(self, program: Path, directory: Path) -> None:
        self.program = program
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = directory / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> None:
        env = isolated_env(
            self.directory / "home",
            DATABASE_URL=f"sqlite:///{self.directory / 'demo.sqlite3'}",
            CENTRALE_DATA_DIR=str(self.directory / "data"),
        )
        command = [str(self.program), "-m", "server.cli", "demo", "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"demo server exited: {self.log()}"
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the bundled demo server did not answer in {timeout} s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def demo_server(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BundledDemoServer]:
    server = BundledDemoServer(bundle / "centrale", tmp_path_factory.mktemp("demo-server"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def registrar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    require("kamailio", "kamailio")
    kamailio = Kamailio(tmp_path_factory.mktemp("kamailio"), {SIP_USER: SIP_PASSWORD})
    kamailio.start()
    try:
        yield kamailio
    finally:
        kamailio.stop()
