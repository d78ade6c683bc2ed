"""Carte Vitale inserted → the patient fields filled in the real wizard page.

A private pcscd with the vsmartcard vpcd driver, our emulator, the application's CardService and
CardBinding, and the real WizardWindow on « Recherche patient » (offscreen Qt, qasync loop, no
server: the live search is off). Each of ``--insertions`` rounds waits a random 0-400 ms (a hand
is not in step with pcscd's polling), inserts a one-beneficiary Carte Vitale (the TCP connection
to vpcd = the card touching the contacts), and stamps on the GUI loop:

  insertion → CardInserted      pcscd noticing the card (it polls vpcd every 400 ms) + hand-over
  CardInserted → CardRead       our connection and APDUs (worker thread) + hand-over to the loop
  CardRead → fields filled      CardBinding → Wizard.use_beneficiary → the page's line edits

"Fields filled" is when the line edits hold the card's text (the next paint follows on the loop).
Needs root and the pcscd / vsmartcard-vpcd packages (it starts its own pcscd).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from cardreader.emulator.profiles import build_profile
from cardreader.emulator.vpcd import VpcdCardSession
from cardreader.events import CardError, CardEvent, CardInserted, CardRead, CardRemoved
from cardreader.service import CardService
from desktop.state.wizard.wizard import Operator, Step, Wizard
from desktop.ui.card_binding import CardBinding
from desktop.ui.gui_thread_gc import GuiThreadCollector
from desktop.ui.status_bar import StatusBar
from desktop.ui.wizard.window import WizardWindow
from tests.support import card_profiles as profiles
from tests.support.pcsc import PcscDaemon

TARGET_MS = 400.0
POLL_PERIOD_S = 0.4  # pcsc-lite PCSCLITE_STATUS_POLL_RATE (build-time constant) for vpcd


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _line(name: str, values: list[float]) -> str:
    return (
        f"  {name:<28} p50 {statistics.median(values):6.1f} ms   p95 {_percentile(values, 0.95):6.1f} ms"
        f"   max {max(values):6.1f} ms"
    )


async def measure(daemon: PcscDaemon, insertions: int) -> dict[str, list[float]]:
    beneficiary = profiles.FAMILY[0]
    profile = profiles.vitale2(beneficiary)
    wizard = Wizard.from_dashboard(Operator(user_id=1, display_name="Banc d'essai"))
    wizard.step = Step.SEARCH

    async def no_send(_wizard: Wizard) -> None:
        return None

    window = WizardWindow(wizard, None, no_send)
    window.show()
    status = StatusBar(lambda _state: None)
    binding = CardBinding(status, lambda: window)
    page = window.pages[Step.SEARCH]
    last_name = page.form.widgets["last_name"]
    first_name = page.form.widgets["first_name"]
    assert isinstance(last_name, QLineEdit)
    assert isinstance(first_name, QLineEdit)
    stamps: dict[str, float] = {}
    arrived: asyncio.Queue[type[CardEvent]] = asyncio.Queue()
    handle = binding.on_event

    def stamped(event: CardEvent) -> None:  # on the GUI loop, as CardBinding.follow calls it
        now = time.perf_counter()
        handle(event)
        if isinstance(event, CardInserted):
            stamps["inserted"] = now
        elif isinstance(event, CardRead):
            stamps["read"] = now
            shown = (last_name.text(), first_name.text())
            if shown == (beneficiary["last_name"], beneficiary["first_name"]):
                stamps["filled"] = time.perf_counter()
        if isinstance(event, CardError):
            print(f"  (card error: {event.message})", file=sys.stderr)
        arrived.put_nowait(type(event))

    binding.on_event = stamped  # type: ignore[method-assign]
    service = CardService()
    service.start()
    follower = asyncio.ensure_future(binding.follow(service))
    figures: dict[str, list[float]] = {"total": [], "detection": [], "read": [], "fill": []}
    phase = random.Random(7)
    try:
        while len(binding.cards) < 2:
            await arrived.get()
        for _ in range(insertions):
            for name in ("last_name", "first_name", "birth_date"):
                wizard.set_field(Step.SEARCH, name, "")
            page.load()
            stamps.clear()
            await asyncio.sleep(phase.uniform(0, POLL_PERIOD_S))
            session = VpcdCardSession(build_profile(profile).card, port=daemon.slot_port(0))
            started = time.perf_counter()
            session.insert()
            while "read" not in stamps:
                await asyncio.wait_for(arrived.get(), 10)
            if "filled" not in stamps:
                raise AssertionError("the card was read but the fields were not filled")
            figures["total"].append((stamps["filled"] - started) * 1000)
            figures["detection"].append((stamps["inserted"] - started) * 1000)
            figures["read"].append((stamps["read"] - stamps["inserted"]) * 1000)
            figures["fill"].append((stamps["filled"] - stamps["read"]) * 1000)
            session.remove()
            while await asyncio.wait_for(arrived.get(), 10) is not CardRemoved:
                pass
    finally:
        follower.cancel()
        await service.stop()
        window.close()
        window.deleteLater()
        status.deleteLater()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--insertions", type=int, default=30)
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    insertions = max(20, args.insertions)
    app = QApplication.instance() or QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = GuiThreadCollector(app)  # as the application: never a collection on the card thread
    collector.start()
    with tempfile.TemporaryDirectory() as directory:
        daemon = PcscDaemon(Path(directory))
        daemon.start()
        try:
            with loop:
                figures = loop.run_until_complete(measure(daemon, insertions))
        finally:
            daemon.stop()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            collector.stop()
    verdict = "OK" if _percentile(figures["total"], 0.95) <= TARGET_MS else "MISSED"
    print(f"Carte Vitale (1 bénéficiaire) → champs de « Recherche patient » — {insertions} insertions")
    print(_line("insertion → fields filled", figures["total"]) + f"   (target ≤ 400 ms: {verdict})")
    print(_line("insertion → CardInserted", figures["detection"]))
    print(_line("CardInserted → CardRead", figures["read"]))
    print(_line("CardRead → fields filled", figures["fill"]))


if __name__ == "__main__":
    main()
