"""The watcher through the asyncio CardService and on its own thread, against a real pcscd."""

from __future__ import annotations

import asyncio
import threading

from cardreader.cards.atr import CardKind
from cardreader.cards.cps import CpsCard
from cardreader.cards.vitale2 import VitaleCard
from cardreader.errors import CardErrorCode
from cardreader.events import (
    CardError,
    CardEvent,
    CardInserted,
    CardRead,
    CardRemoved,
    ReaderAdded,
    ReaderRemoved,
)
from cardreader.pcsc import CardWatcher
from cardreader.service import CardService
from tests.support import card_profiles as profiles
from tests.support.card_events import EventLog
from tests.support.pcsc import CardSlots


async def _until(service: CardService, kind: type[CardEvent], timeout: float = 5.0) -> list[CardEvent]:
    """Events up to and including the first of ``kind``."""
    seen: list[CardEvent] = []
    while True:
        event = await service.next_event(timeout)
        seen.append(event)
        if isinstance(event, kind):
            return seen


def test_events_arrive_on_the_event_loop_in_order(slots: CardSlots) -> None:
    readers = slots.daemon.readers

    async def scenario() -> list[CardEvent]:
        loop_thread = threading.current_thread()
        async with CardService(poll_ms=200) as service:
            first = [await service.next_event(5), await service.next_event(5)]
            assert threading.current_thread() is loop_thread
            await asyncio.to_thread(slots.insert, profiles.vitale2(*profiles.FAMILY), 0, False)
            inserted = await _until(service, CardRead)
            await asyncio.to_thread(slots.remove, 0, False)
            removed = await _until(service, CardRemoved)
            return first + inserted + removed

    events = asyncio.run(scenario())
    assert events[:2] == [ReaderAdded(readers[0]), ReaderAdded(readers[1])]
    assert isinstance(events[2], CardInserted)
    assert (events[2].reader, events[2].kind) == (readers[0], CardKind.VITALE2)
    read = events[3]
    assert isinstance(read, CardRead)
    assert isinstance(read.content, VitaleCard)
    assert [b.first_name for b in read.content.beneficiaries] == ["Hélène", "Jean-Éric", "Zoé"]
    assert read.apdu_count == 10
    assert events[4:] == [CardRemoved(readers[0])]


def test_card_inserted_before_the_watcher_starts(slots: CardSlots) -> None:
    slots.insert(profiles.cps("cps4", "N'GUYEN", "Marie-Claire", "810001045367"), slot=1)
    log = EventLog()
    watcher = CardWatcher(log, poll_ms=200)
    watcher.start()
    try:
        read = log.wait_for(lambda e: isinstance(e, CardRead))
    finally:
        watcher.stop()
    assert isinstance(read, CardRead)
    assert isinstance(read.content, CpsCard)
    assert read.reader == slots.daemon.readers[1]
    assert read.content.holder.last_name == "N'GUYEN"
    assert not any(isinstance(e, CardError) for e in log.events)


def test_two_readers_and_errors_are_per_reader(slots: CardSlots) -> None:
    log = EventLog()
    watcher = CardWatcher(log, poll_ms=200)
    watcher.start()
    try:
        log.wait_for(lambda e: e == ReaderAdded(slots.daemon.readers[1]))
        slots.insert(profiles.vitale2(profiles.CORSICAN), slot=0, wait=False)
        slots.insert({"type": "vitale1"}, slot=1, wait=False)
        read = log.wait_for(lambda e: isinstance(e, CardRead))
        error = log.wait_for(lambda e: isinstance(e, CardError))
    finally:
        watcher.stop()
    assert isinstance(read, CardRead)
    assert read.reader == slots.daemon.readers[0]
    assert error == CardError(
        slots.daemon.readers[1],
        CardErrorCode.VITALE1,
        "Carte Vitale 1 : lecture non prise en charge, saisissez l'identité",
    )


def test_mute_card_and_pulled_card_events(slots: CardSlots) -> None:
    log = EventLog()
    watcher = CardWatcher(log, poll_ms=200)
    watcher.start()
    reader = slots.daemon.readers[0]
    try:
        log.wait_for(lambda e: isinstance(e, ReaderAdded))
        slots.insert(profiles.vitale2(profiles.FAMILY[0], fault={"kind": "mute"}), wait=False)
        mute = log.wait_for(lambda e: isinstance(e, CardError))
        slots.remove(0)
        log.wait_for(lambda e: isinstance(e, CardRemoved))
        mark = log.mark()
        slots.insert(profiles.vitale2(*profiles.FAMILY, fault={"kind": "pull", "after": 5}), wait=False)
        pulled = log.wait_for(lambda e: isinstance(e, CardError), start=mark)
        removed = log.wait_for(lambda e: isinstance(e, CardRemoved), start=mark)
    finally:
        watcher.stop()
    assert isinstance(mute, CardError)
    assert mute.code is CardErrorCode.MUTE_CARD
    assert mute.reader == reader
    assert isinstance(pulled, CardError)
    assert pulled.code is CardErrorCode.CARD_REMOVED
    assert removed == CardRemoved(reader)
    assert not any(isinstance(e, CardRead) for e in log.events[mark:])


def test_readers_vanish_with_pcscd_while_a_card_is_in_and_come_back(slots: CardSlots) -> None:
    """vpcd readers cannot be unplugged one by one: stopping pcscd removes them all."""
    daemon = slots.daemon
    log = EventLog()
    watcher = CardWatcher(log, poll_ms=200, retry_s=0.1)
    watcher.start()
    try:
        slots.insert(profiles.vitale2(profiles.FAMILY[0]), slot=0, wait=False)
        log.wait_for(lambda e: isinstance(e, CardRead))
        mark = log.mark()
        daemon.stop()
        log.wait_for(lambda e: isinstance(e, CardError) and e.code is CardErrorCode.NO_SERVICE, start=mark)
        lost = log.events[mark:]
        slots.sessions.clear()
        daemon.start()
        back = log.wait_for(lambda e: e == ReaderAdded(daemon.readers[1]), start=mark)
    finally:
        watcher.stop()
    assert lost == [
        CardRemoved(daemon.readers[0]),
        ReaderRemoved(daemon.readers[0]),
        ReaderRemoved(daemon.readers[1]),
        CardError(None, CardErrorCode.NO_SERVICE, "Le service de cartes à puce (pcscd) n'est pas démarré"),
    ]
    assert back == ReaderAdded(daemon.readers[1])


def test_request_read_reads_the_card_again(slots: CardSlots) -> None:
    log = EventLog()
    watcher = CardWatcher(log, poll_ms=200)
    watcher.start()
    try:
        slots.insert(profiles.vitale2(profiles.CORSICAN_2B), slot=0, wait=False)
        log.wait_for(lambda e: isinstance(e, CardRead))
        mark = log.mark()
        watcher.request_read(slots.daemon.readers[0])
        again = log.wait_for(lambda e: isinstance(e, CardRead), start=mark)
    finally:
        watcher.stop()
    assert isinstance(again, CardRead)
    assert isinstance(again.content, VitaleCard)
    assert again.content.beneficiaries[0].last_name == "ORSINI"
