"""The card tests' private pcscd (`cardreader/emulator/pcscd.py`, also the demo's) and the emulated
cards put into its vpcd slots. With CI set a missing pcscd fails the run instead of skipping."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cardreader.emulator.pcscd import PcscdUnavailable, PrivatePcscd
from cardreader.emulator.profiles import build_profile
from cardreader.emulator.vpcd import VpcdCardSession
from cardreader.pcsc import PcscContext

PcscDaemon = PrivatePcscd
__all__ = ["CardSlots", "PcscDaemon", "PcscdUnavailable", "required", "wait_card_state"]


def required() -> bool:
    return bool(os.environ.get("CI"))


def wait_card_state(reader: str, present: bool, timeout: float = 5.0) -> None:
    """Until pcscd reports the card in ``reader`` as present (or gone)."""
    deadline = time.monotonic() + timeout
    with PcscContext() as context:
        while time.monotonic() < deadline:
            if context.state_of(reader).present == present:
                return
            time.sleep(0.02)
    raise AssertionError(f"{reader}: card {'never came' if present else 'still there'} after {timeout} s")


class CardSlots:
    """Inserts emulated cards into the daemon's vpcd slots and pulls them all out afterwards."""

    def __init__(self, daemon: PcscDaemon) -> None:
        self.daemon = daemon
        self.sessions: dict[int, VpcdCardSession] = {}

    def insert(self, profile: dict[str, object], slot: int = 0, wait: bool = True) -> VpcdCardSession:
        if slot in self.sessions:
            raise AssertionError(f"slot {slot} already holds a card")
        built = build_profile(profile)
        session = VpcdCardSession(built.card, port=self.daemon.slot_port(slot), fault=built.fault)
        session.insert()
        self.sessions[slot] = session
        if wait:
            wait_card_state(self.daemon.readers[slot], present=True)
        return session

    def remove(self, slot: int = 0, wait: bool = True) -> None:
        session = self.sessions.pop(slot, None)
        if session is not None:
            session.remove()
            if wait and self.daemon.process is not None:
                wait_card_state(self.daemon.readers[slot], present=False)

    def remove_all(self) -> None:
        for slot in list(self.sessions):
            self.remove(slot)


@contextmanager
def running_pcscd(directory: Path) -> Iterator[PcscDaemon]:
    daemon = PcscDaemon(directory)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()
