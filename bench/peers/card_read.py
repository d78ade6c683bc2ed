"""Issue 21, item 7: our read of a Carte Vitale against the same APDUs sent with plain pyscard.

A private pcscd with the vpcd reader (tests/support/pcsc.py) and our card emulator: a Vitale 2 card
with three beneficiaries (a family's card). First one read through our ``CardWatcher`` records the
APDUs the card receives (at the card: what our reader really sends, GET RESPONSEs included). Then,
alternately, an insertion read by ours (``CardWatcher``: insertion → ``CardInserted`` → ``CardRead``,
as bench/card_read.py) and an insertion read by the floor (bench/peers/card_read_floor.py: wait for
the card, connect, replay those APDUs, disconnect; each response checked against the recording).
Each insertion falls at a random phase of pcscd's 400 ms polling of vpcd.

Two figures, apart: the insertion seen (pcscd's poll: the same for anybody using PC/SC), and the
read itself from the moment the card is seen (connect + APDUs + disconnect, plus our parsing).

    .venv/bin/python -m bench.peers.card_read [--quick]
"""

from __future__ import annotations

import queue
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.card_read import POLL_PERIOD_S, next_event
from bench.peers import standalone, table
from bench.peers.card_read_floor import PlainPyscard
from bench.peers.figures import median_and_p95
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.profiles import build_profile
from cardreader.emulator.vpcd import VpcdCardSession
from cardreader.events import CardEvent, CardInserted, CardRead, CardRemoved, ReaderAdded
from cardreader.pcsc import CardWatcher
from tests.support import card_profiles as profiles
from tests.support.pcsc import PcscDaemon

PROFILE = profiles.vitale2(*profiles.FAMILY)
FLOOR = "plain pyscard, same APDUs"
Exchanges = list[tuple[bytes, bytes]]  # (command APDU, response APDU) as the card saw them


def recorded_card(exchanges: Exchanges) -> VirtualCard:
    """A fresh emulated card appending every APDU it answers to ``exchanges``."""
    card = build_profile(PROFILE).card
    process = card.process

    def recording(apdu: bytes) -> bytes:
        response = process(apdu)
        exchanges.append((apdu, response))
        return response

    setattr(card, "process", recording)  # noqa: B010 - an instance attribute over the method
    return card


def ours(port: int, phase: float, exchanges: Exchanges) -> tuple[float, float]:
    """(insertion → CardInserted, CardInserted → CardRead) in ms, through a fresh ``CardWatcher``."""
    events: queue.Queue[tuple[float, CardEvent]] = queue.Queue()
    watcher = CardWatcher(lambda event: events.put((time.perf_counter(), event)))
    watcher.start()
    try:
        next_event(events, ReaderAdded)
        session = VpcdCardSession(recorded_card(exchanges), port=port)
        time.sleep(phase)
        started = time.perf_counter()
        session.insert()
        seen, _ = next_event(events, CardInserted)
        done, read = next_event(events, CardRead)
        assert isinstance(read, CardRead)
        if len(getattr(read.content, "beneficiaries", ())) != len(PROFILE["beneficiaries"]):
            raise RuntimeError(f"lecture incomplète : {read.content}")
        session.remove()
        next_event(events, CardRemoved)
    finally:
        watcher.stop()
    return (seen - started) * 1000, (done - seen) * 1000


def floor(port: int, reader: str, phase: float, expected: Exchanges) -> tuple[float, float]:
    """The same with plain pyscard replaying ``expected``'s APDUs."""
    plain = PlainPyscard(reader)
    try:
        plain.wait(present=False)
        session = VpcdCardSession(build_profile(PROFILE).card, port=port)
        time.sleep(phase)
        started = time.perf_counter()
        session.insert()
        plain.wait(present=True)
        seen = time.perf_counter()
        responses = plain.replay([command for command, _ in expected])
        done = time.perf_counter()
        if responses != [response for _, response in expected]:
            raise RuntimeError("pyscard n'a pas reçu les réponses de la lecture enregistrée")
        session.remove()
        plain.wait(present=False)
    finally:
        plain.close()
    return (seen - started) * 1000, (done - seen) * 1000


def run(quick: bool, workdir: Path) -> list[table.Row]:
    insertions = 10 if quick else 50
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    measured: dict[str, list[tuple[float, float]]] = {"ours": [], "floor": []}
    with tempfile.TemporaryDirectory(dir=workdir, prefix="card-read-") as scratch:
        daemon = PcscDaemon(Path(scratch))
        daemon.start()
        try:
            port, reader = daemon.slot_port(0), daemon.readers[0]
            recording: Exchanges = []
            ours(port, 0.0, recording)  # warm-up, and the APDUs our reader sends
            steps: list[tuple[str, Callable[[float], tuple[float, float]]]] = [
                ("ours", lambda phase: ours(port, phase, [])),
                ("floor", lambda phase: floor(port, reader, phase, recording)),
            ]
            for _ in range(insertions):
                for name, step in steps:  # alternately: the same load on both
                    measured[name].append(step(rng.uniform(0, POLL_PERIOD_S)))
        finally:
            daemon.stop()
    note = f"Vitale 2, 3 beneficiaries, {len(recording)} APDUs, {insertions} insertions each, alternated"
    figures = (
        "insertion → card seen (pcscd's 400 ms vpcd poll)",
        "card seen → read (connect, APDUs, disconnect)",
    )
    return [
        row
        for index, figure in enumerate(figures)
        for row in median_and_p95(
            "card read", figure, "ms", [m[index] for m in measured["ours"]], floor_name=FLOOR,
            floor=[m[index] for m in measured["floor"]], note=note,
        )
    ]  # fmt: skip


if __name__ == "__main__":
    standalone.main(run, __doc__.splitlines()[0])
