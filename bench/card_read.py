"""Card inserted → ``CardRead`` with every beneficiary, through a real pcscd + vpcd + emulator.

For each profile the emulated card is inserted (the TCP connection to vpcd, i.e. the moment a
real card touches the reader's contacts) and pulled out ``--insertions`` times, with a
``CardWatcher`` running. Printed per profile: p50 / p95 / max of insertion → CardRead, split in
insertion → CardInserted (pcscd noticing the card: it polls readers like vpcd every 400 ms) and
CardInserted → CardRead (our connection and APDUs), and the APDUs exchanged per read. Each
insertion waits a random 0-400 ms first, so that it falls anywhere in pcscd's polling period.
Needs root and the pcscd / vsmartcard-vpcd packages (it starts its own pcscd).
"""

from __future__ import annotations

import argparse
import queue
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from cardreader.emulator.profiles import build_profile
from cardreader.emulator.vpcd import VpcdCardSession
from cardreader.events import CardEvent, CardInserted, CardRead, CardRemoved, ReaderAdded
from cardreader.pcsc import CardWatcher
from tests.support import card_profiles as profiles
from tests.support.pcsc import PcscDaemon

TARGET_P95_MS = 300.0
POLL_PERIOD_S = 0.4  # pcsc-lite PCSCLITE_STATUS_POLL_RATE, for drivers without their own events


def next_event(
    events: queue.Queue[tuple[float, CardEvent]], kind: type[CardEvent]
) -> tuple[float, CardEvent]:
    """The next event of type ``kind`` (with its perf_counter stamp), skipping the others."""
    while True:
        stamp, event = events.get(timeout=10)
        if isinstance(event, kind):
            return stamp, event


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(daemon: PcscDaemon, profile: dict[str, Any], insertions: int) -> dict[str, Any]:
    events: queue.Queue[tuple[float, CardEvent]] = queue.Queue()
    watcher = CardWatcher(lambda event: events.put((time.perf_counter(), event)))
    watcher.start()
    totals: list[float] = []
    detections: list[float] = []
    reads: list[float] = []
    apdus: set[int] = set()
    phase = random.Random(5)
    try:
        next_event(events, ReaderAdded)
        for _ in range(insertions):
            card = build_profile(profile).card
            session = VpcdCardSession(card, port=daemon.slot_port(0))
            # A hand does not insert in step with pcscd's 400 ms polling: random phase.
            time.sleep(phase.uniform(0, POLL_PERIOD_S))
            started = time.perf_counter()
            session.insert()
            inserted_at, _ = next_event(events, CardInserted)
            read_at, read = next_event(events, CardRead)
            assert isinstance(read, CardRead)
            expected = len(profile.get("beneficiaries", [])) or 0
            if expected:
                assert len(getattr(read.content, "beneficiaries", ())) == expected
            totals.append((read_at - started) * 1000)
            detections.append((inserted_at - started) * 1000)
            reads.append((read_at - inserted_at) * 1000)
            apdus.add(read.apdu_count)
            session.remove()
            next_event(events, CardRemoved)
    finally:
        watcher.stop()
    return {"total": totals, "detection": detections, "read": reads, "apdus": sorted(apdus)}


def _line(name: str, values: list[float]) -> str:
    return (
        f"  {name:<28} p50 {statistics.median(values):6.1f} ms   p95 {_percentile(values, 0.95):6.1f} ms"
        f"   max {max(values):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--insertions", type=int, default=50)
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    cases = {
        "Vitale 2, 1 bénéficiaire": profiles.vitale2(profiles.FAMILY[0]),
        "Vitale 2, 3 bénéficiaires": profiles.vitale2(*profiles.FAMILY),
        "Vitale 2, 8 bénéficiaires": profiles.vitale2(*profiles.large_family(8)),
        "CPS3": profiles.cps("cps3", "D'ARTAGNAN", "Jean-Pierre", "810001045367"),
    }
    with tempfile.TemporaryDirectory() as directory:
        daemon = PcscDaemon(Path(directory))
        daemon.start()
        try:
            for name, profile in cases.items():
                figures = measure(daemon, profile, args.insertions)
                verdict = "OK" if _percentile(figures["total"], 0.95) <= TARGET_P95_MS else "MISSED"
                print(f"{name} — {args.insertions} insertions, APDUs per read: {figures['apdus']}")
                print(
                    _line("insertion → CardRead", figures["total"]) + f"   (target p95 ≤ 300 ms: {verdict})"
                )
                print(_line("insertion → CardInserted", figures["detection"]))
                print(_line("CardInserted → CardRead", figures["read"]))
        finally:
            daemon.stop()


if __name__ == "__main__":
    main()
