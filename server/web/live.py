"""Live refresh of the professionals' pages: Server-Sent Events from /pro/events.

One `Fanout` per server process follows the change feed for every open page at once: woken by
the live hub (server/live/hub.py: wake-ups only), it reads the new events once (the hub's shared
read), works out once which professionals each event concerns (`targets_of`, a few indexed
queries per batch, never one per connection), and drops small named wake-ups into the queues of
those professionals' connections:

- ``offers``: an offer appeared or went away (the list, the header's badge);
- ``care`` / ``requests`` / ``coordination``: a row of « Patients en Soins », « Mes
  Déclenchements », « Patients en Coordination » changed;
- ``prescription-<id>``, ``patient-<id>``: the page of that request or that patient changed;
- ``messages`` / ``thread-<id>``: a thread of theirs changed (the list, the menu's unread badge) /
  that thread's page (a message, a participant, a read mark).

Events carry ids only, and so do the wake-ups: the page fetches the fragment it needs through the
ordinary routes, where every access rule applies. A connection that opens after changes it did
not see (`after` older than the fan-out's position) is told ``resync``: the page re-reads every
live fragment. The stream ends with ``session-expired`` when its session does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import anyio.to_thread
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from server.live import Hub
from server.models import Case, Notification, Prescription, ProfessionalProfile, UsualProfessional
from server.services.feed import last_seq
from shared.schemas.dispatch import EventView
from shared.schemas.feed_types import EventType

log = logging.getLogger("centrale.web.live")

READ_BATCH = 500
# Types after which the notified responders' offers may have changed.
OFFER_TYPES = frozenset(
    {
        "prescription_sent",
        "prescription_pool_opened",
        "prescription_renewed",
        "prescription_accepted",
        "prescription_declined",
        "prescription_cancelled",
        "prescription_expired",
    }
)
# A thread's events (issue 20): their participants are in the event itself.
THREAD_TYPES = frozenset(
    {EventType.MESSAGE_POSTED.value, EventType.THREAD_PARTICIPANTS_CHANGED.value, EventType.THREAD_READ.value}
)
Targets = dict[int, set[str]]


def targets_of(session: Session, events: list[EventView]) -> Targets:
    """Which professionals (user ids) each event concerns, and the wake-up names they get."""
    targets: Targets = defaultdict(set)
    prescription_ids = {e.prescription_id for e in events if e.prescription_id is not None}
    offer_ids = {e.prescription_id for e in events if e.type in OFFER_TYPES and e.prescription_id}
    patient_ids = {int(e.data["patient_id"]) for e in events if "patient_id" in e.data}
    if offer_ids:
        notified = session.execute(
            select(Notification.user_id, Notification.prescription_id)
            .join(
                Prescription,
                and_(
                    Prescription.id == Notification.prescription_id, Prescription.round == Notification.round
                ),
            )
            .where(Notification.prescription_id.in_(offer_ids))
        )
        for user_id, prescription_id in notified:
            targets[user_id].update(("offers", f"prescription-{prescription_id}"))
    if prescription_ids:
        rows = session.execute(
            select(Prescription.id, Prescription.accepted_by, Case.requester_user_id, Case.patient_id)
            .join(Case, Case.id == Prescription.case_id)
            .where(Prescription.id.in_(prescription_ids))
        )
        for prescription_id, acceptor, requester, patient_id in rows:
            if acceptor is not None:
                targets[acceptor].update(("care", f"prescription-{prescription_id}", f"patient-{patient_id}"))
            if requester is not None:
                targets[requester].update(("requests", f"prescription-{prescription_id}"))
            patient_ids.add(patient_id)
    if patient_ids:
        _patient_targets(session, patient_ids, targets)
    _thread_targets(events, targets)
    return targets


def _thread_targets(events: list[EventView], targets: Targets) -> None:
    """A thread's event (issue 20) names its participants (and who just left): their list and menu
    badge (``messages``) and that thread's page (``thread-<id>``). No query: the ids are in the event."""
    for event in events:
        if event.type not in THREAD_TYPES:
            continue
        names = ("messages", f"thread-{event.data['thread_id']}")
        people = [*event.data.get("participant_ids", ()), event.data.get("left")]
        reader = event.data.get("user_id") if event.type == EventType.THREAD_READ.value else None
        for user_id in people:
            if not isinstance(user_id, int):
                continue
            if reader is None:
                targets[user_id].update(names)
            elif user_id == reader:  # their unread badges; their own page shows no « vu par » of theirs
                targets[user_id].add(names[0])
            else:  # « vu par » on the others' pages; their unread counts did not change
                targets[user_id].add(names[1])


def _patient_targets(session: Session, patient_ids: set[int], targets: Targets) -> None:
    """The patient's registered usual professionals and everyone who accepted or requested one of
    their prescriptions: their pages of that patient, and « Patients en Coordination »."""
    usual = session.execute(
        select(ProfessionalProfile.user_id, UsualProfessional.patient_id)
        .join(UsualProfessional, UsualProfessional.rpps == ProfessionalProfile.rpps)
        .where(UsualProfessional.patient_id.in_(patient_ids))
    )
    involved = session.execute(
        select(Prescription.accepted_by, Case.requester_user_id, Case.patient_id)
        .join(Case, Case.id == Prescription.case_id)
        .where(
            Case.patient_id.in_(patient_ids),
            or_(Prescription.accepted_by.is_not(None), Case.requester_user_id.is_not(None)),
        )
    )
    for user_id, patient_id in usual:
        targets[user_id].update(("coordination", f"patient-{patient_id}"))
    for acceptor, requester, patient_id in involved:
        for someone in (acceptor, requester):
            if someone is not None:
                targets[someone].update(("coordination", f"patient-{patient_id}"))


@dataclass(eq=False)  # hashed by identity: kept in sets
class Listener:
    """One open page's connection: the wake-up names waiting to be sent."""

    user_id: int
    pending: set[str] = field(default_factory=set)
    flag: asyncio.Event = field(default_factory=asyncio.Event)

    def tell(self, names: set[str]) -> None:
        self.pending |= names
        self.flag.set()

    async def next(self, timeout: float) -> set[str]:
        """The names gathered since the last call (empty after `timeout` seconds of silence)."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self.flag.wait(), timeout)
        self.flag.clear()
        names, self.pending = self.pending, set()
        return names


class Fanout:
    """The process's one follower of the feed for the web pages; started by the first page."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.position: int | None = None
        self._listeners: dict[int, set[Listener]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def ready(self) -> int:
        """Start following if not yet; the feed position from which connections are served."""
        if self._task is None or self._task.done():
            self._ready = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="centrale-web-fanout")
        task, started = self._task, asyncio.ensure_future(self._ready.wait())
        await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
        if not self._ready.is_set():
            started.cancel()
            raise RuntimeError("le suivi des changements pour les pages n'a pas démarré")
        assert self.position is not None
        return self.position

    @contextmanager
    def listen(self, user_id: int) -> Iterator[Listener]:
        listener = Listener(user_id)
        self._listeners[user_id].add(listener)
        try:
            yield listener
        finally:
            mine = self._listeners.get(user_id)
            if mine is not None:
                mine.discard(listener)
                if not mine:
                    del self._listeners[user_id]

    @property
    def connections(self) -> int:
        return sum(len(listeners) for listeners in self._listeners.values())

    async def _run(self) -> None:
        try:
            await self._follow()
        except Exception:  # the next page that connects starts a new one (ready())
            log.exception("web fan-out stopped")
            raise

    async def _follow(self) -> None:
        self.position = await anyio.to_thread.run_sync(self._head)
        with self.hub.subscribe(self.position) as wake:
            self._ready.set()
            ticket = self.hub.read_ticket()
            while not wake.closed:
                try:
                    events = await self.hub.read_after(self.position, READ_BATCH, newer_than=ticket)
                    targets = await anyio.to_thread.run_sync(self._targets, events) if events else {}
                except SQLAlchemyError as exc:  # kept running: the next wake-up tries again
                    log.warning("feed unreadable for the web pages, retrying: %s", exc)
                    events, targets = [], {}
                if events:
                    self.position = wake.position = events[-1].seq
                    self._dispatch(targets)
                if len(events) == READ_BATCH:
                    continue
                ticket = await wake.wait()

    def _head(self) -> int:
        with self.hub.db.session() as session:
            return last_seq(session)

    def _targets(self, events: list[EventView]) -> Targets:
        with self.hub.db.session() as session:
            return targets_of(session, events)

    def _dispatch(self, targets: Targets) -> None:
        for user_id, names in targets.items():
            for listener in self._listeners.get(user_id, ()):
                listener.tell(names)


def sse(event: str, data: str = "") -> str:
    return f"event: {event}\ndata: {data}\n\n"


KEEPALIVE_SECONDS = 15.0
SESSION_CHECK_SECONDS = 60.0


async def stream(
    fanout: Fanout, user_id: int, after: int | None, still_valid: Callable[[], Awaitable[bool]]
) -> AsyncIterator[str]:
    """The SSE body of one page: wake-ups for `user_id` until its session ends (checked every
    minute) or the browser leaves (Starlette then cancels this generator)."""
    position = await fanout.ready()
    with fanout.listen(user_id) as listener:
        yield "retry: 3000\n\n"
        if after is None or after < position:
            yield sse("resync")
        next_check = time.monotonic() + SESSION_CHECK_SECONDS
        while True:
            names = await listener.next(KEEPALIVE_SECONDS)
            yield "".join(sse(name) for name in sorted(names)) if names else ": ok\n\n"
            if time.monotonic() >= next_check:
                if not await still_valid():
                    yield sse("session-expired")
                    return
                next_check = time.monotonic() + SESSION_CHECK_SECONDS
