"""INVITE sent by a caller process → the call popup painted with the identified caller, in the real UI.

The desktop's own pieces in this process: the main window and its ``CallPopup`` (offscreen Qt by
default, ``--xcb`` for a real X display), the session's ``CallFlow`` + ``ScreenPop`` looking the
number up on the central server (``centrale-server demo``: its 36 professionals), the application's
``Pjsua2Softphone`` listening for direct calls on a free loopback port (the demo set-up). Each call
is a second process, ``python -m telephony.cli call``, presenting another demo professional's
number (so each lookup goes to the server: the cache of recent callers never answers). The caller
reports ``OutgoingCallStarted.sent_monotonic`` (CLOCK_MONOTONIC just before pjsua2 sent the
INVITE; the clock is system-wide on Linux, this process reads the same one); the popup's paint
events are watched, and the first one showing the number, then the first one showing the
identified professional, are timed. The operator refuses each call once timed.

    .venv/bin/python -m bench.popup_latency [--calls 30] [--server demo|quiet] [--xcb]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Timing:
    number: str
    sent: float = 0.0
    number_painted: float = 0.0
    identified_painted: float = 0.0
    identified_state: float = 0.0  # the popup's widgets hold the identified caller (before the paint)


@dataclass
class Watch:
    """Paint events of the popup, timed against the call being measured."""

    current: Timing | None = None
    done: list[Timing] = field(default_factory=list)


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):6.1f}  p95 {p95:6.1f}  max {ordered[-1]:6.1f} ms"


def quiet_demo_server(directory: Path) -> object:
    """The demo data without the simulated responders (``seed-demo`` then ``serve``): the lookup
    alone on the server, without the 36 responders polling it every 2 s."""
    import subprocess

    from desktop.app import DemoServer

    class QuietDemoServer(DemoServer):
        def start(self, timeout: float = 60.0) -> None:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{self.directory / 'demo.sqlite3'}",
                "CENTRALE_DATA_DIR": str(self.directory / "server"),
            }
            subprocess.run([sys.executable, "-m", "server.cli", "seed-demo"], env=env, check=True)
            serve = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1"]
            serve += ["--port", str(self.port)]
            self.process = subprocess.Popen(serve, env=env)
            deadline = time.monotonic() + timeout
            import httpx

            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{self.url}/api/v1/health", timeout=1.0).status_code == 200:
                        return
                except httpx.HTTPError:
                    time.sleep(0.1)
            raise RuntimeError("le serveur ne répond pas")

    return QuietDemoServer(directory)


async def measure(calls: int, directory: Path, quiet: bool) -> list[Timing]:
    from PySide6.QtCore import QEvent, QObject

    from desktop.app import DEMO_PASSWORD, DEMO_USER, DemoServer, pjsua2_softphone
    from desktop.demo.calls import DEMO_PROFESSIONALS, demo_professional_phone, direct_uri
    from desktop.services.session import Session
    from desktop.services.softphone import SoftphoneService, demo_plan
    from desktop.settings import SecretStore, Settings
    from desktop.sync.client import ApiClient
    from desktop.ui.main_window import MainWindow
    from desktop.ui.phone_binding import PhoneBinding
    from telephony.events import IdentificationOutcome
    from tests.support.keyrings import MemoryKeyring
    from tests.support.sip_peers import centrale_phone

    demo = quiet_demo_server(directory / "demo") if quiet else DemoServer(directory / "demo")
    assert isinstance(demo, DemoServer)
    demo.directory.mkdir(parents=True)
    print("Démarrage du serveur de démonstration…", flush=True)
    demo.start()
    service = SoftphoneService(demo_plan(DEMO_USER, null_audio=True), pjsua2_softphone)
    softphone = service.create()
    assert softphone is not None, service.status
    client = ApiClient(demo.url)
    login = await client.login(DEMO_USER, DEMO_PASSWORD)
    session = Session(client, login.user, directory=directory / "desk", softphone=softphone)
    window = MainWindow(session, Settings(server_url=demo.url), SecretStore(MemoryKeyring()))
    binding = PhoneBinding(window, window.status, service)
    window.show()
    session.start()
    await binding.start()
    assert window.popup is not None
    assert session.flow is not None
    popup, flow = window.popup, session.flow
    watch = Watch()

    class PaintWatch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            timing, view = watch.current, popup.view
            if event.type() == QEvent.Type.Paint and timing is not None and view is not None:
                now = time.monotonic()
                if not timing.number_painted and popup.number.text() == timing.number:
                    timing.number_painted = now
                identified = view.identification is IdentificationOutcome.IDENTIFIED and view.chosen
                chosen_name = view.chosen.display_name if view.chosen else None
                if identified and not timing.identified_painted and popup.identity.text() == chosen_name:
                    timing.identified_painted = now
            return False

    def state_changed(_view: object) -> None:
        timing, view = watch.current, popup.view
        if timing is None or view is None or timing.identified_state:
            return
        if view.identification is IdentificationOutcome.IDENTIFIED and popup.identity.text() != "":
            timing.identified_state = time.monotonic()

    painter = PaintWatch()
    popup.installEventFilter(painter)
    previous = flow.on_change
    assert previous is not None

    def on_change(view: object) -> None:
        previous(view)  # type: ignore[arg-type]  # the main window's: the popup is refreshed there
        state_changed(view)

    flow.on_change = on_change
    target = direct_uri(DEMO_USER, service.local_port)
    try:
        for index in range(calls):
            n = index % DEMO_PROFESSIONALS + 1
            national = demo_professional_phone(n)
            timing = Timing(national)
            watch.current = timing
            caller = centrale_phone(
                directory, f"caller-{index:02d}", "call", target, "--from-user", national.replace(" ", ""),
                "--display-name", f"Cabinet {n:02d}", "--duration", "1",
            )  # fmt: skip
            try:
                started = await asyncio.to_thread(caller.wait_for, "OutgoingCallStarted", 20.0)
                timing.sent = float(started["sent_monotonic"])
                deadline = time.monotonic() + 15
                while not timing.identified_painted and time.monotonic() < deadline:
                    await asyncio.sleep(0.005)
                if not timing.identified_painted:
                    shown = popup.identity.text()
                    raise RuntimeError(f"appel {index + 1} : appelant non affiché ({shown!r})")
                view = popup.view
                assert view is not None
                await flow.reject(view.call_id)
                await asyncio.to_thread(caller.wait_exit, 20.0)
                while flow.calls:
                    await asyncio.sleep(0.01)
            finally:
                caller.stop()
            watch.done.append(timing)
            watch.current = None
            await asyncio.sleep(0.2)
    finally:
        await binding.stop()
        window.close()
        await session.stop()
        demo.stop()
    return watch.done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--xcb", action="store_true", help="a real X display instead of offscreen Qt")
    parser.add_argument(
        "--server", choices=("demo", "quiet"), default="demo",
        help="demo: centrale-server demo (with its simulated responders); quiet: the demo data only",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not args.xcb:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync  # type: ignore[import-untyped]
    from PySide6.QtWidgets import QApplication

    from desktop.ui.gui_thread_gc import GuiThreadCollector

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = GuiThreadCollector(app)
    collector.start()
    try:
        with tempfile.TemporaryDirectory(prefix="popup-latency-") as folder, loop:
            timings = loop.run_until_complete(measure(args.calls, Path(folder), args.server == "quiet"))
    finally:
        collector.stop()
    number = [(t.number_painted - t.sent) * 1000 for t in timings]
    state = [(t.identified_state - t.sent) * 1000 for t in timings if t.identified_state]
    painted = [(t.identified_painted - t.sent) * 1000 for t in timings]
    load = os.getloadavg()
    print(f"{len(timings)} appels, serveur {args.server}, Qt {os.environ.get('QT_QPA_PLATFORM', 'xcb')}, "
          f"charge {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
    print(f"INVITE → popup peint avec le numéro            {percentiles(number)}")
    if state:
        print(f"INVITE → popup rempli avec l'appelant identifié {percentiles(state)}")
    print(f"INVITE → popup peint avec l'appelant identifié  {percentiles(painted)}   (objectif p95 ≤ 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
