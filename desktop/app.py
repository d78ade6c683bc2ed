"""`centrale`: the operator desktop's composition root.

Parses the command line, chooses the adapters (``real_adapters``: the pjsua2 softphone and the
PC/SC card reader; ``fake_adapters``: the fakes, for tests), starts the embedded demo server and
the demo's calls and cards when asked (``--demo``: `centrale-server demo` on a free port, SQLite in
a temporary directory, stopped on exit), then hands all of it to ``desktop.ui.application``
(QApplication, qasync loop, login, main window). This is the only desktop module that imports the
real adapters (``telephony.pjsua2_adapter``, ``cardreader.pcsc``; the demo's cards, PC/SC by
nature, aside), each inside its factory: Qt, pjsua2 and pyscard are imported after the command
line is read, so ``centrale --version`` stays instant.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from desktop.adapters import Adapters
from shared.child_process import die_with_parent

if TYPE_CHECKING:  # the adapters' modules load when a factory runs (after the login)
    from cardreader.api import CardReader
    from telephony.api import Softphone
    from telephony.config import PhoneConfig

DEMO_USER = "operateur"
DEMO_PASSWORD = "operateur-demo"  # noqa: S105 - the demo account printed by `centrale-server demo`


def _version() -> str:
    try:
        return version("centrale")
    except PackageNotFoundError:
        return "inconnue"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="centrale", description="Poste opérateur Centrale")
    parser.add_argument("--version", action="version", version=f"centrale {_version()}")
    parser.add_argument("--server", help="adresse du serveur central (http://hôte:port)")
    parser.add_argument(
        "--demo", action="store_true", help="démarre un serveur de démonstration et s'y connecte"
    )
    return parser


def pjsua2_softphone(config: PhoneConfig) -> Softphone:
    """The real softphone; ``ImportError`` where pjsua2 is not installed."""
    from telephony.pjsua2_adapter import Pjsua2Softphone

    return Pjsua2Softphone(config)


def pcsc_card_reader() -> CardReader:
    """The real card reader, through pcscd; ``ImportError`` where pyscard is not installed."""
    from cardreader.pcsc import PcscCardReader

    return PcscCardReader()


def real_adapters() -> Adapters:
    return Adapters(softphone=pjsua2_softphone, card_reader=pcsc_card_reader)


def fake_adapters() -> Adapters:
    """The fakes (tests): a softphone that records its commands, a reader with no card in it."""
    from cardreader.fake import FakeCardReader
    from telephony.fake import FakeSoftphone

    return Adapters(softphone=lambda _config: FakeSoftphone(), card_reader=FakeCardReader)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DemoServer:
    """`centrale-server demo` in a child process, with its SQLite file in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.directory / 'demo.sqlite3'}",
            "CENTRALE_DATA_DIR": str(self.directory / "server"),
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "server.cli", "demo", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            preexec_fn=die_with_parent,  # a desktop that crashes takes its demo server along
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"le serveur de démonstration s'est arrêté (code {code})")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"le serveur de démonstration ne répond pas après {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from desktop.demo.calls import DemoCalls
    from desktop.demo.cards import DemoCards
    from desktop.ui.application import Options, run

    adapters = real_adapters()
    if not args.demo:
        return run(Options(server_url=args.server, adapters=adapters))
    with tempfile.TemporaryDirectory(prefix="centrale-demo-") as folder:
        directory = Path(folder)
        # the operator's own settings stay untouched by the demo
        os.environ["CENTRALE_CONFIG_DIR"] = str(directory / "config")
        demo = DemoServer(directory)
        print("Démarrage du serveur de démonstration…", flush=True)
        try:
            demo.start()
        except RuntimeError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 1
        # the SIP callers of « Simuler un appel entrant » (the softphone listens on a free port)
        demo_calls = DemoCalls(log_dir=directory / "appels")
        # what the demo started, stopped in reverse order on exit and on a signal
        stops: list[Callable[[], None]] = [demo.stop, demo_calls.stop_all]
        # the demo's Carte Vitale and CPS in pcscd's virtual reader (None without pcscd + vpcd)
        demo_cards = DemoCards.start_if_possible(directory / "pcscd")
        if demo_cards is not None:
            stops.append(demo_cards.stop)
        stopped = _stop_on_signals(stops)
        try:
            return run(
                Options(
                    server_url=demo.url,
                    username=DEMO_USER,
                    password=DEMO_PASSWORD,
                    data_dir=directory / "desktop",
                    adapters=adapters,
                    demo_calls=demo_calls,
                    demo_cards=demo_cards,
                )
            )
        finally:
            _stop_all(stops)
            _restore(stopped)


Handlers = dict[signal.Signals, object]


def _stop_all(stops: list[Callable[[], None]]) -> None:
    for stop in reversed(stops):
        try:
            stop()
        except Exception as exc:  # the next ones must still be stopped
            print(f"Erreur à l'arrêt de la démonstration : {exc}", file=sys.stderr)


def _stop_on_signals(stops: list[Callable[[], None]]) -> Handlers:
    """Killed (SIGTERM, Ctrl+C in the terminal): what the demo started goes too."""

    def stop(number: int, _frame: object) -> None:
        _stop_all(stops)
        os._exit(128 + number)

    previous: Handlers = {}
    for number in (signal.SIGTERM, signal.SIGINT):
        previous[number] = signal.signal(number, stop)
    return previous


def _restore(previous: Handlers) -> None:
    for number, handler in previous.items():
        signal.signal(number, handler)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
