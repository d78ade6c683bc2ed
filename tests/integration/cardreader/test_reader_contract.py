"""The ``CardReader`` contract, run on both adapters: the PC/SC one (a real pcscd with the vpcd
driver and the emulator in its slots) and the fake (the same emulator profiles, read in-process).

Each scenario asserts the exact events, so the fake cannot drift from what pcscd really gives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from cardreader import events as ev
from cardreader.api import CardReader
from cardreader.cards.atr import CPS4_ATR, VITALE1_ATR, VITALE2_ATR, CardKind
from cardreader.cards.cps import CpsCard
from cardreader.cards.vitale2 import VitaleCard
from cardreader.errors import CardErrorCode, CardReadError
from cardreader.fake import FakeCardReader
from cardreader.pcsc import PcscCardReader
from tests.support import card_profiles as profiles
from tests.support.pcsc import CardSlots, wait_card_state

Profile = dict[str, Any]
QUIET_S = 1.2  # three polls of the PC/SC watcher (200 ms) and three of pcscd (400 ms) with margin


@dataclass
class Desk:
    """One adapter and the hands that act on its world: insert/remove a card in slot 0 or 1,
    stop pcscd (the cards go with it), start it again — on the main thread: the private pcscd
    gets PR_SET_PDEATHSIG, so it dies with the thread that started it (never a worker of
    ``asyncio.to_thread``, which ends with the loop)."""

    reader: CardReader
    readers: list[str]
    insert: Callable[[Profile, int], None]
    remove: Callable[[int], None]
    stop_service: Callable[[], None]
    start_service: Callable[[], None]

    @asynccontextmanager
    async def started(self) -> AsyncIterator[CardReader]:
        """The adapter started, its readers announced."""
        async with self.reader:
            assert await self.events(2) == [ev.ReaderAdded(name) for name in self.readers]
            yield self.reader

    async def events(self, count: int, timeout: float = 10.0) -> list[ev.CardEvent]:
        return [await self.reader.next_event(timeout) for _ in range(count)]

    async def quiet(self) -> None:
        """No event comes (within a few polls of pcscd)."""
        try:
            extra = await self.reader.next_event(QUIET_S)
        except TimeoutError:
            return
        pytest.fail(f"unexpected event {extra}")

    async def act(self, action: Callable[..., None], *args: Any) -> None:
        await asyncio.to_thread(action, *args)


def _pcsc_desk(slots: CardSlots) -> Desk:
    daemon = slots.daemon

    def insert(profile: Profile, slot: int) -> None:
        slots.insert(profile, slot, wait=False)

    def stop_service() -> None:
        daemon.stop()
        slots.sessions.clear()  # the vpcd connections died with pcscd

    return Desk(
        PcscCardReader(poll_ms=200, retry_s=0.1),
        list(daemon.readers),
        insert,
        lambda slot: slots.remove(slot, wait=False),
        stop_service,
        daemon.start,
    )


def _fake_desk() -> Desk:
    fake = FakeCardReader(readers=("Lecteur simulé 00 00", "Lecteur simulé 00 01"))
    names = fake.readers

    def stop_service() -> None:
        fake.stop_service()
        for name in names:  # as with vpcd: the cards do not survive pcscd
            fake.remove(name)

    return Desk(
        fake,
        names,
        lambda profile, slot: fake.insert(profile, names[slot]),
        lambda slot: fake.remove(names[slot]),
        stop_service,
        fake.start_service,
    )


@pytest.fixture(params=["pcsc", "fake"])
def desk(request: pytest.FixtureRequest) -> Iterator[Desk]:
    if request.param == "pcsc":
        yield _pcsc_desk(request.getfixturevalue("slots"))
    else:
        yield _fake_desk()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


pytestmark = pytest.mark.anyio


async def test_readers_then_a_vitale_read_then_its_removal(desk: Desk) -> None:
    r0 = desk.readers[0]
    async with desk.started():
        await desk.act(desk.insert, profiles.vitale2(*profiles.FAMILY), 0)
        inserted, read = await desk.events(2)
        assert inserted == ev.CardInserted(r0, VITALE2_ATR, CardKind.VITALE2)
        assert isinstance(read, ev.CardRead)
        assert (read.reader, read.apdu_count) == (r0, 10)
        assert isinstance(read.content, VitaleCard)
        assert [b.first_name for b in read.content.beneficiaries] == ["Hélène", "Jean-Éric", "Zoé"]
        assert all(b.nir_valid for b in read.content.beneficiaries)
        await desk.act(desk.remove, 0)
        assert await desk.events(1) == [ev.CardRemoved(r0)]
        await desk.quiet()


async def test_a_card_already_in_is_read_at_start(desk: Desk) -> None:
    r1 = desk.readers[1]
    desk.insert(profiles.cps("cps4", "N'GUYEN", "Marie-Claire", "810001045367"), 1)
    if isinstance(desk.reader, PcscCardReader):
        wait_card_state(r1, present=True)
    async with desk.started():
        inserted, read = await desk.events(2)
    assert inserted == ev.CardInserted(r1, CPS4_ATR, CardKind.CPS4)
    assert isinstance(read, ev.CardRead)
    assert isinstance(read.content, CpsCard)
    assert (read.reader, read.apdu_count) == (r1, 5)
    holder = read.content.holder
    assert (holder.last_name, holder.first_name, holder.national_id) == (
        "N'GUYEN",
        "Marie-Claire",
        "810001045367",
    )


async def test_request_read_reads_the_card_again_and_an_empty_reader_answers_nothing(desk: Desk) -> None:
    r0, r1 = desk.readers
    async with desk.started() as reader:
        await desk.act(desk.insert, profiles.vitale2(profiles.CORSICAN), 0)
        _, first = await desk.events(2)
        reader.request_read(r0)
        assert await desk.events(1) == [first]
        reader.request_read(r1)
        await desk.quiet()


async def test_a_fault_counts_the_apdus_of_every_read_since_the_insertion(desk: Desk) -> None:
    r0 = desk.readers[0]
    async with desk.started() as reader:
        await desk.act(
            desk.insert, profiles.vitale2(profiles.FAMILY[0], fault={"kind": "garbage", "after": 12}), 0
        )
        _, read = await desk.events(2)
        assert isinstance(read, ev.CardRead)
        assert read.apdu_count == 10
        reader.request_read(r0)  # APDUs 11 and 12 answered, the 13th gets garbage
        assert await desk.events(1) == [ev.card_error(r0, CardErrorCode.UNREADABLE)]


@pytest.mark.parametrize(
    ("profile", "atr", "kind", "code"),
    [
        ({"type": "vitale1"}, VITALE1_ATR, CardKind.VITALE1, CardErrorCode.VITALE1),
        ({"type": "unknown", "atr": "3B 02 14 50"}, bytes.fromhex("3B021450"), CardKind.UNKNOWN, None),
        (
            profiles.vitale2(profiles.FAMILY[0], fault={"kind": "garbage", "after": 4}),
            VITALE2_ATR,
            CardKind.VITALE2,
            CardErrorCode.UNREADABLE,
        ),
        (
            profiles.cps("cps4", "DURAND", "Paul", "810001045367")
            | {"fault": {"kind": "sw6f00", "after": 2}},
            CPS4_ATR,
            CardKind.CPS4,
            CardErrorCode.UNREADABLE,
        ),
    ],
    ids=["vitale1", "unknown", "garbage", "sw6f00"],
)
async def test_a_card_that_cannot_be_read(
    desk: Desk, profile: Profile, atr: bytes, kind: CardKind, code: CardErrorCode | None
) -> None:
    r1 = desk.readers[1]
    expected = ev.card_error(r1, code or CardErrorCode.UNKNOWN_CARD)
    async with desk.started() as reader:
        await desk.act(desk.insert, profile, 1)
        assert await desk.events(2) == [ev.CardInserted(r1, atr, kind), expected]
        reader.request_read(r1)  # the same answer again
        assert await desk.events(1) == [expected]


async def test_a_mute_card_then_a_card_pulled_out_during_the_read(desk: Desk) -> None:
    r0 = desk.readers[0]
    mute = ev.card_error(r0, CardErrorCode.MUTE_CARD)
    async with desk.started() as reader:
        await desk.act(desk.insert, profiles.vitale2(profiles.FAMILY[0], fault={"kind": "mute"}), 0)
        assert await desk.events(1) == [mute]
        reader.request_read(r0)
        assert await desk.events(1) == [mute]
        await desk.act(desk.remove, 0)
        assert await desk.events(1) == [ev.CardRemoved(r0)]
        await desk.act(desk.insert, profiles.vitale2(*profiles.FAMILY, fault={"kind": "pull", "after": 5}), 0)
        assert await desk.events(3) == [
            ev.CardInserted(r0, VITALE2_ATR, CardKind.VITALE2),
            ev.card_error(r0, CardErrorCode.CARD_REMOVED),
            ev.CardRemoved(r0),
        ]
        reader.request_read(r0)  # nothing left in the reader
        await desk.quiet()


async def test_pcscd_stopped_then_started_again(desk: Desk) -> None:
    r0, r1 = desk.readers
    async with desk.started() as reader:
        assert sorted(reader.list_readers()) == [r0, r1]
        await desk.act(desk.insert, profiles.vitale2(profiles.FAMILY[0]), 0)
        await desk.events(2)
        await desk.act(desk.stop_service)
        assert await desk.events(4) == [
            ev.CardRemoved(r0),
            ev.ReaderRemoved(r0),
            ev.ReaderRemoved(r1),
            ev.CardError(
                None, CardErrorCode.NO_SERVICE, "Le service de cartes à puce (pcscd) n'est pas démarré"
            ),
        ]
        with pytest.raises(CardReadError) as caught:
            reader.list_readers()
        assert caught.value.code is CardErrorCode.NO_SERVICE
        desk.start_service()  # on this thread: a private pcscd dies with the thread that started it
        assert await desk.events(2) == [ev.ReaderAdded(r0), ev.ReaderAdded(r1)]
        await desk.quiet()


async def test_no_event_before_start_nor_after_stop(desk: Desk) -> None:
    r0 = desk.readers[0]
    desk.reader.request_read(r0)  # not started: nothing, no error
    await desk.quiet()
    async with desk.started():
        pass
    await desk.act(desk.insert, profiles.vitale2(profiles.FAMILY[0]), 0)
    desk.reader.request_read(r0)
    await desk.quiet()
