"""``FakeCardReader``: ``cardreader.api.CardReader`` without pcscd (tests, a desk with no reader).

The world is scripted, from any thread: readers plugged and unplugged, cards inserted and pulled
out, pcscd stopped and started again, a read that fails with a given error. A card is one of the
emulator's JSON profiles (``cardreader/emulator/profiles.py``, faults included), read in-process
by the very procedure the PC/SC adapter runs through pcscd (``cardreader.reading.read_card``): the
``CardRead`` carries the same content and APDU count, and a fault fails the read the same way.

The events are the PC/SC watcher's, in its order (``tests/integration/cardreader/
test_reader_contract.py`` runs the same scenarios on both). The scripting call emits them itself,
through the asyncio bridge both adapters share (``cardreader.service.CardService``): they reach the
loop that called ``start()``, never before ``start()`` nor after ``stop()``; what happens while
stopped is announced at the next ``start()``, as pcscd would show it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cardreader import events
from cardreader.apdu import Exchange
from cardreader.api import EventSink
from cardreader.cards.atr import classify_atr
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.faults import Fault, answer_apdu, is_mute
from cardreader.emulator.profiles import Profile, build_profile
from cardreader.errors import CardErrorCode, CardReadError
from cardreader.reading import read_card
from cardreader.service import CardService

FAKE_READER = "Lecteur simulé 00 00"


@dataclass
class _Slot:
    card: VirtualCard
    fault: Fault | None
    answered: int = 0  # APDUs answered since the insertion, across reads (as the vpcd session counts)


class _CardPulled(CardReadError):
    def __init__(self) -> None:
        super().__init__(CardErrorCode.CARD_REMOVED, "fake: the card was pulled out during the read")


class _FakeWatcher:
    """``cardreader.api.Watcher`` of the fake: connects its sink to the scripted world."""

    def __init__(self, world: FakeCardReader, sink: EventSink) -> None:
        self._world = world
        self._sink = sink

    def start(self) -> None:
        self._world._attach(self._sink)

    def stop(self, timeout: float = 5.0) -> None:
        self._world._detach(self._sink)

    def request_read(self, reader: str) -> None:
        self._world._read_again(reader)


class FakeCardReader(CardService):
    """``FakeCardReader(readers=("Lecteur simulé 00 00",))``: readers plugged, no card, pcscd up."""

    def __init__(self, readers: Sequence[str] = (FAKE_READER,)) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._slots: dict[str, _Slot | None] = dict.fromkeys(readers)
        self._service_up = True
        self._sink: EventSink | None = None
        self._failures: dict[str, deque[CardErrorCode]] = {}

    # ---- what the world looks like ------------------------------------------------------------
    @property
    def readers(self) -> list[str]:
        """The readers plugged in, whether pcscd runs or not (``list_readers`` asks pcscd)."""
        with self._lock:
            return list(self._slots)

    def has_card(self, reader: str | None = None) -> bool:
        with self._lock:
            return self._slots[self._name(reader)] is not None

    def list_readers(self) -> list[str]:
        with self._lock:
            if not self._service_up:
                raise CardReadError(CardErrorCode.NO_SERVICE, "fake: pcscd stopped")
            return list(self._slots)

    # ---- scripting ------------------------------------------------------------------------------
    def insert(self, profile: Mapping[str, Any] | Profile, reader: str | None = None) -> None:
        """Put a card (a JSON profile, or one already built) in ``reader`` (default: the first)."""
        built = profile if isinstance(profile, Profile) else build_profile(dict(profile))
        with self._lock:
            name = self._name(reader)
            if self._slots[name] is not None:
                raise ValueError(f"{name} : une carte y est déjà")
            slot = self._slots[name] = _Slot(built.card, built.fault)
            if self._live():
                self._announce_card(name, slot)

    def remove(self, reader: str | None = None) -> None:
        """Pull the card out of ``reader`` (nothing happens when it holds none)."""
        with self._lock:
            name = self._name(reader)
            slot, self._slots[name] = self._slots[name], None
            if slot is not None and self._live():
                self._emit(events.CardRemoved(name))

    def plug(self, reader: str) -> None:
        with self._lock:
            if reader in self._slots:
                raise ValueError(f"{reader} : ce lecteur est déjà branché")
            self._slots[reader] = None
            if self._live():
                self._emit(events.ReaderAdded(reader))

    def unplug(self, reader: str) -> None:
        """The reader goes, with the card in it."""
        with self._lock:
            slot = self._slots.pop(self._name(reader))
            self._failures.pop(reader, None)
            if self._live():
                self._forget(reader, slot)

    def stop_service(self) -> None:
        """pcscd stops: the readers vanish for the adapter (the cards stay in them)."""
        with self._lock:
            if not self._service_up:
                return
            if self._live():
                for reader, slot in self._slots.items():
                    self._forget(reader, slot)
            self._service_up = False
            self._emit_service_error()

    def start_service(self) -> None:
        """pcscd is back: the readers and the cards in them are announced again."""
        with self._lock:
            if self._service_up:
                return
            self._service_up = True
            if self._sink is not None:
                self._announce_all()

    def fail_next_read(self, code: CardErrorCode, reader: str | None = None) -> None:
        """The next read of a card in ``reader`` fails with ``code`` (and its French message)."""
        with self._lock:
            self._failures.setdefault(self._name(reader), deque()).append(code)

    # ---- the watcher's side (under the lock) ----------------------------------------------------
    def _new_watcher(self, sink: EventSink) -> _FakeWatcher:
        return _FakeWatcher(self, sink)

    def _attach(self, sink: EventSink) -> None:
        with self._lock:
            self._sink = sink
            if self._service_up:
                self._announce_all()
            else:
                self._emit_service_error()

    def _detach(self, sink: EventSink) -> None:
        with self._lock:
            if self._sink is sink:
                self._sink = None

    def _read_again(self, reader: str) -> None:
        with self._lock:
            slot = self._slots.get(reader)
            if slot is not None and self._live():
                self._read(reader, slot)

    def _name(self, reader: str | None) -> str:
        if reader is None:
            if not self._slots:
                raise ValueError("aucun lecteur branché")
            return next(iter(self._slots))
        if reader not in self._slots:
            raise ValueError(f"{reader} : lecteur inconnu")
        return reader

    def _live(self) -> bool:
        return self._sink is not None and self._service_up

    def _emit(self, event: events.CardEvent) -> None:
        if self._sink is not None:
            self._sink(event)

    def _emit_service_error(self) -> None:
        self._emit(events.card_error(None, CardErrorCode.NO_SERVICE))

    def _announce_all(self) -> None:
        for reader in self._slots:
            self._emit(events.ReaderAdded(reader))
        for reader, slot in list(self._slots.items()):
            if slot is not None:
                self._announce_card(reader, slot)

    def _forget(self, reader: str, slot: _Slot | None) -> None:
        if slot is not None:
            self._emit(events.CardRemoved(reader))
        self._emit(events.ReaderRemoved(reader))

    def _announce_card(self, reader: str, slot: _Slot) -> None:
        if is_mute(slot.fault):  # pcscd reports it present but mute: no ATR, no read
            self._emit(events.card_error(reader, CardErrorCode.MUTE_CARD))
            return
        self._emit(events.CardInserted(reader, slot.card.atr, classify_atr(slot.card.atr)))
        self._read(reader, slot)

    def _read(self, reader: str, slot: _Slot) -> None:
        failures = self._failures.get(reader)
        if failures:
            self._emit(events.card_error(reader, failures.popleft()))
            return
        if is_mute(slot.fault):
            self._emit(events.card_error(reader, CardErrorCode.MUTE_CARD))
            return

        def transmit(apdu: bytes) -> bytes:
            answer = answer_apdu(slot.card, slot.fault, slot.answered, apdu)
            if answer is None:
                raise _CardPulled
            slot.answered += 1
            return answer

        slot.card.reset()  # powered up for this read, as pcscd does at SCardConnect
        exchange = Exchange(transmit)
        try:
            content = read_card(slot.card.atr, exchange)
        except _CardPulled as pulled:
            self._emit(events.CardError(reader, pulled.code, pulled.message))
            if self._slots.get(reader) is slot:
                self._slots[reader] = None
                self._emit(events.CardRemoved(reader))
            return
        except CardReadError as error:
            self._emit(events.CardError(reader, error.code, error.message))
            return
        self._emit(events.CardRead(reader, content, exchange.count))
