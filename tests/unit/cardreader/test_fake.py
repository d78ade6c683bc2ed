"""``FakeCardReader``'s own behaviour (what both adapters do is in
tests/integration/cardreader/test_reader_contract.py, run on the fake and on a real pcscd)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from cardreader import events as ev
from cardreader.api import CardReader
from cardreader.cards.atr import VITALE2_ATR, CardKind
from cardreader.cards.vitale2 import VitaleCard
from cardreader.emulator.profiles import ProfileError, build_profile
from cardreader.errors import CardErrorCode, CardReadError
from cardreader.fake import FAKE_READER, FakeCardReader
from tests.support import card_profiles as profiles

VITALE = profiles.vitale2(profiles.FAMILY[0])
SECOND = "Lecteur simulé 00 01"


def run(fake: FakeCardReader, scenario: Callable[[CardReader], Awaitable[None]]) -> None:
    async def main() -> None:
        async with fake:
            await scenario(fake)

    asyncio.run(main())


async def drain(reader: CardReader) -> list[ev.CardEvent]:
    """Every event delivered so far (the fake emits while scripted: one loop turn delivers them)."""
    await asyncio.sleep(0)
    events: list[ev.CardEvent] = []
    while True:
        try:
            events.append(await reader.next_event(0.05))
        except TimeoutError:
            return events


def read_of(events: list[ev.CardEvent]) -> ev.CardRead:
    reads = [event for event in events if isinstance(event, ev.CardRead)]
    assert len(reads) == 1, events
    return reads[0]


def test_one_reader_by_default_no_card_pcscd_up() -> None:
    fake = FakeCardReader()
    assert fake.readers == fake.list_readers() == [FAKE_READER]
    assert not fake.has_card()

    async def scenario(reader: CardReader) -> None:
        assert await drain(reader) == [ev.ReaderAdded(FAKE_READER)]

    run(fake, scenario)


def test_what_happens_before_start_is_announced_at_start() -> None:
    fake = FakeCardReader(readers=(FAKE_READER, SECOND))
    fake.insert(VITALE, SECOND)
    fake.insert(profiles.vitale2(profiles.CORSICAN))
    fake.remove()
    assert fake.has_card(SECOND)
    assert not fake.has_card(FAKE_READER)

    async def scenario(reader: CardReader) -> None:
        events = await drain(reader)
        assert events[:3] == [
            ev.ReaderAdded(FAKE_READER),
            ev.ReaderAdded(SECOND),
            ev.CardInserted(SECOND, VITALE2_ATR, CardKind.VITALE2),
        ]
        read = read_of(events)
        assert isinstance(read.content, VitaleCard)
        assert read.content.beneficiaries[0].last_name == "DUPONT-MARTIN"
        assert (read.reader, read.apdu_count, len(events)) == (SECOND, 10, 4)

    run(fake, scenario)


def test_readers_plugged_and_unplugged_with_a_card_in() -> None:
    fake = FakeCardReader()

    async def scenario(reader: CardReader) -> None:
        await drain(reader)
        fake.plug(SECOND)
        fake.insert(VITALE, SECOND)
        assert (await drain(reader))[0] == ev.ReaderAdded(SECOND)
        assert reader.list_readers() == [FAKE_READER, SECOND]
        fake.unplug(SECOND)
        assert await drain(reader) == [ev.CardRemoved(SECOND), ev.ReaderRemoved(SECOND)]
        assert fake.readers == [FAKE_READER]

    run(fake, scenario)


def test_a_scripted_failure_fails_the_next_read_only() -> None:
    fake = FakeCardReader()
    fake.fail_next_read(CardErrorCode.CARD_REMOVED)

    async def scenario(reader: CardReader) -> None:
        await drain(reader)
        fake.insert(VITALE)
        assert await drain(reader) == [
            ev.CardInserted(FAKE_READER, VITALE2_ATR, CardKind.VITALE2),
            ev.card_error(FAKE_READER, CardErrorCode.CARD_REMOVED),
        ]
        reader.request_read(FAKE_READER)
        assert read_of(await drain(reader)).apdu_count == 10

    run(fake, scenario)


def test_a_fault_counts_the_apdus_of_every_read_since_the_insertion() -> None:
    """As the vpcd session does: garbage after 12 APDUs lets the first read (10) through."""
    fake = FakeCardReader()
    fake.insert(profiles.vitale2(profiles.FAMILY[0], fault={"kind": "garbage", "after": 12}))

    async def scenario(reader: CardReader) -> None:
        read_of(await drain(reader))
        reader.request_read(FAKE_READER)
        assert await drain(reader) == [ev.card_error(FAKE_READER, CardErrorCode.UNREADABLE)]

    run(fake, scenario)


def test_started_while_pcscd_is_stopped() -> None:
    fake = FakeCardReader()
    fake.insert(VITALE)
    fake.stop_service()
    fake.stop_service()  # already stopped: nothing more
    with pytest.raises(CardReadError) as caught:
        fake.list_readers()
    assert caught.value.code is CardErrorCode.NO_SERVICE
    assert fake.readers == [FAKE_READER]

    async def scenario(reader: CardReader) -> None:
        assert await drain(reader) == [ev.card_error(None, CardErrorCode.NO_SERVICE)]
        fake.remove()  # while pcscd is away: nothing to say
        fake.insert(VITALE)
        assert await drain(reader) == []
        fake.start_service()
        fake.start_service()
        events = await drain(reader)
        assert events[:2] == [
            ev.ReaderAdded(FAKE_READER),
            ev.CardInserted(FAKE_READER, VITALE2_ATR, CardKind.VITALE2),
        ]
        read_of(events)

    run(fake, scenario)


def test_a_profile_already_built_and_the_scripting_mistakes() -> None:
    fake = FakeCardReader()
    fake.insert(build_profile(VITALE))
    with pytest.raises(ValueError, match="une carte y est déjà"):
        fake.insert(VITALE)
    with pytest.raises(ValueError, match="lecteur inconnu"):
        fake.insert(VITALE, "Lecteur absent")
    with pytest.raises(ValueError, match="déjà branché"):
        fake.plug(FAKE_READER)
    with pytest.raises(ProfileError):
        fake.insert({"type": "vitale3"}, FAKE_READER)
    fake.unplug(FAKE_READER)
    with pytest.raises(ValueError, match="aucun lecteur"):
        fake.insert(VITALE)


def test_stopped_it_says_nothing_and_started_again_it_tells_the_present() -> None:
    fake = FakeCardReader()

    async def scenario() -> None:
        async with fake:
            await drain(fake)
        fake.insert(VITALE)
        fake.request_read(FAKE_READER)
        assert await drain(fake) == []
        async with fake:
            events = await drain(fake)
        assert events[:2] == [
            ev.ReaderAdded(FAKE_READER),
            ev.CardInserted(FAKE_READER, VITALE2_ATR, CardKind.VITALE2),
        ]

    asyncio.run(scenario())


def test_scripted_from_another_thread_the_events_reach_the_loop() -> None:
    fake = FakeCardReader()

    async def scenario(reader: CardReader) -> None:
        await drain(reader)
        await asyncio.to_thread(fake.insert, VITALE)
        inserted = await reader.next_event(1)
        read = await reader.next_event(1)
        assert isinstance(inserted, ev.CardInserted)
        assert isinstance(read, ev.CardRead)

    run(fake, scenario)
