"""What Kamailio and the queue holder ask the server (docs/hotline.md): whom to ring for a hotline
call, what happened to it, and which operator takes the oldest waiting caller.

Every answer is decided under the hotline's lock (server/services/hotline_settings.py), so an
operator offered a call is *reserved* (`agent_states.reserved_call_id`, until `reserved_until`)
before anyone else can be given them: no operator is offered two calls at once. A reservation ends
when the call is answered, rang out (`unanswered`), queued, lost, or when its time is up
(ring_seconds + RESERVE_SLACK: an event that never came does not keep an operator forever).

Fairness: while callers wait in the queue, a new call queues too (service in arrival order).
Each event is applied once per (call_id, kind, sip_user) (`hotline_call_events`); releasing an
operator is harmless to repeat and is done on every copy.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.models import Agent, CallRecord, HotlineCall, HotlineCallEvent
from server.services import agent_states, feed, hotline_settings
from shared.schemas.feed import CallRecorded, HotlineQueueChanged
from shared.schemas.hotline import (
    UNANSWERED_PAUSE,
    AgentState,
    CallEventIn,
    HotlineSettings,
    QueueOfferOut,
    RouteOut,
)
from shared.validation import ValidationFailure, normalize_phone

RESERVE_SLACK = timedelta(seconds=5)
# A queue entry older than this is no longer waited on (its holder never said it was lost).
QUEUE_MAX_AGE = timedelta(hours=2)
RINGING, WAITING, OFFERED, ANSWERED, ENDED, LOST = (
    "ringing",
    "waiting",
    "offered",
    "answered",
    "ended",
    "lost",
)
IN_QUEUE = (WAITING, OFFERED)
HOTLINE_LOCAL_NUMBER = "hotline"


def caller_number(raw: str) -> str:
    """E.164 of the caller's number as Kamailio sends it (From's user part, often national), like
    the desktops' call records; what is not a phone number (an anonymous caller) is kept as is."""
    try:
        return normalize_phone(raw) if raw else raw
    except ValidationFailure:
        return raw


def _call(session: Session, call_id: str, number: str, name: str, at: datetime) -> HotlineCall:
    number = caller_number(number)
    call = session.scalar(select(HotlineCall).where(HotlineCall.call_id == call_id))
    if call is None:
        call = HotlineCall(
            call_id=call_id, caller_number=number, caller_name=name, state=RINGING, arrived_at=at
        )
        session.add(call)
        session.flush()
    else:
        call.caller_number = call.caller_number or number
        call.caller_name = call.caller_name or name
    return call


def _free_agents(session: Session, now: datetime, excluded: Sequence[str] = ()) -> list[Agent]:
    """Available operators with a SIP user and no offer pending, longest idle first (never called
    first, then the longest in Disponible)."""
    query = select(Agent).where(Agent.state == AgentState.AVAILABLE.value, Agent.sip_user.is_not(None))
    if excluded:
        query = query.where(Agent.sip_user.not_in(list(excluded)))
    found = [a for a in session.scalars(query) if not agent_states.is_reserved(a, now)]
    return sorted(
        found, key=lambda a: (a.idle_since is not None, a.idle_since or a.since, a.since, a.user_id)
    )


def queue_query(now: datetime) -> Select[HotlineCall]:
    return select(HotlineCall).where(
        HotlineCall.state.in_(IN_QUEUE), HotlineCall.queued_at > now - QUEUE_MAX_AGE
    )


def waiting_count(session: Session, now: datetime) -> int:
    query = select(func.count()).select_from(queue_query(now).subquery())
    return int(session.scalar(query) or 0)


def _queue_changed(session: Session, call: HotlineCall, state: str, now: datetime) -> None:
    waiting = waiting_count(session, now)
    feed.append_event(session, HotlineQueueChanged(entry_id=call.id, state=state, waiting=waiting), now)


def _release_all(session: Session, call_id: str) -> None:
    for agent in session.scalars(select(Agent).where(Agent.reserved_call_id == call_id)):
        agent_states.release(agent)


def _reserve(agent: Agent, call_id: str, settings: HotlineSettings, now: datetime) -> None:
    agent.reserved_call_id = call_id
    agent.reserved_until = now + timedelta(seconds=settings.ring_seconds) + RESERVE_SLACK


def route(
    session: Session, call_id: str, caller: str, caller_name: str, tried: Sequence[str], now: datetime
) -> RouteOut:
    """Whom Kamailio rings for this call (asked again after each ring-out, `tried` growing)."""
    settings = hotline_settings.locked(session)
    call = _call(session, call_id, caller, caller_name, now)
    _release_all(session, call_id)
    queued = call.state != RINGING or session.scalar(queue_query(now).limit(1)) is not None
    free = [] if queued else _free_agents(session, now, tried)
    if not free:
        return RouteOut(action="queue", targets=[], ring_seconds=settings.ring_seconds)
    targets = free if settings.strategy == "ring_all" else free[:1]
    for agent in targets:
        _reserve(agent, call_id, settings, now)
    return RouteOut(
        action="ring", targets=[a.sip_user or "" for a in targets], ring_seconds=settings.ring_seconds
    )


def _first_time(session: Session, event: CallEventIn, at: datetime) -> bool:
    """Whether this (call_id, kind, sip_user) is new; recorded when it is."""
    key = (event.call_id, event.kind, event.sip_user or "")
    seen = session.scalar(
        select(HotlineCallEvent.id).where(
            HotlineCallEvent.call_id == key[0],
            HotlineCallEvent.kind == key[1],
            HotlineCallEvent.sip_user == key[2],
        )
    )
    if seen is not None:
        return False
    try:
        with session.begin_nested():
            session.add(HotlineCallEvent(call_id=key[0], kind=key[1], sip_user=key[2], at=at))
    except IntegrityError:  # unreachable under the hotline's lock; kept as the ledger's guarantee
        return False
    return True


def apply_event(session: Session, event: CallEventIn, now: datetime) -> HotlineCall:
    """Apply what Kamailio or the queue holder says happened to a hotline call."""
    settings = hotline_settings.locked(session)
    at = event.at or now
    call = _call(session, event.call_id, event.caller_number, event.caller_name, at)
    first = _first_time(session, event, at)
    agent = None
    if event.sip_user is not None:
        agent = session.scalar(select(Agent).where(Agent.sip_user == event.sip_user))
    if event.kind == "answered" and call.state not in (ANSWERED, ENDED, LOST):
        _answered(session, call, agent, at, now)
    elif event.kind == "unanswered":
        _unanswered(session, call, agent, settings, now, count=first)
    elif event.kind == "queued" and call.state == RINGING:
        _release_all(session, call.call_id)
        call.state, call.queued_at = WAITING, at
        _queue_changed(session, call, WAITING, now)
    elif event.kind in ("lost", "ended") and call.state not in (ENDED, LOST):
        if call.state == ANSWERED:
            _ended(session, call, settings, at, now)
        else:
            _lost(session, call, at, now)
    return call


def _answered(session: Session, call: HotlineCall, agent: Agent | None, at: datetime, now: datetime) -> None:
    was_queued = call.state in IN_QUEUE
    _release_all(session, call.call_id)
    call.state, call.answered_at, call.offered_to, call.offered_until = ANSWERED, at, None, None
    call.wait_seconds = max(0.0, (at - call.arrived_at).total_seconds())
    if agent is not None:
        call.answered_by = agent.user_id
        agent.unanswered_in_row = 0
        caller = call.caller_name or call.caller_number
        agent_states.change(
            session,
            agent,
            AgentState.IN_CALL,
            now,
            automatic=agent_states.AUTO_ANSWERED,
            call_id=call.call_id,
            caller=caller,
        )
    if was_queued:
        _queue_changed(session, call, ANSWERED, now)


def _unanswered(
    session: Session,
    call: HotlineCall,
    agent: Agent | None,
    settings: HotlineSettings,
    now: datetime,
    *,
    count: bool,
) -> None:
    if call.state == OFFERED and (agent is None or call.offered_to == agent.user_id):
        call.state, call.offered_to, call.offered_until = WAITING, None, None  # back to the head
        _queue_changed(session, call, WAITING, now)
    if agent is None:
        return
    if agent.reserved_call_id == call.call_id:
        agent_states.release(agent)
    if not count:
        return
    agent.unanswered_in_row += 1
    if agent.unanswered_in_row >= settings.unanswered_limit and agent.state == AgentState.AVAILABLE:
        agent_states.change(
            session,
            agent,
            AgentState.PAUSE,
            now,
            pause_reason=UNANSWERED_PAUSE,
            automatic=agent_states.AUTO_UNANSWERED,
        )


def _ended(
    session: Session, call: HotlineCall, settings: HotlineSettings, at: datetime, now: datetime
) -> None:
    call.state, call.ended_at = ENDED, at
    agent = session.get(Agent, call.answered_by) if call.answered_by is not None else None
    if agent is None or agent.state != AgentState.IN_CALL:
        return  # the desktop moved on by itself already
    after = AgentState.AFTER_CALL if settings.wrap_up_seconds > 0 else AgentState.AVAILABLE
    agent_states.change(session, agent, after, now, automatic=agent_states.AUTO_ENDED)


def _lost(session: Session, call: HotlineCall, at: datetime, now: datetime) -> None:
    """The caller hung up before anyone answered: a missed call to return, with the wait."""
    was_queued = call.state in IN_QUEUE
    _release_all(session, call.call_id)
    call.state, call.ended_at, call.offered_to, call.offered_until = LOST, at, None, None
    call.wait_seconds = max(0.0, (at - call.arrived_at).total_seconds())
    record = CallRecord(
        id=str(uuid.uuid4()),
        operator_id=None,
        direction="incoming",
        remote_number=call.caller_number,
        remote_raw=call.caller_number,
        remote_display_name=call.caller_name,
        local_number=HOTLINE_LOCAL_NUMBER,
        identification=None,
        identified=[],
        started_at=call.arrived_at,
        answered_at=None,
        ended_at=max(at, call.arrived_at),
        outcome="missed",
        end_code=None,
        end_reason="Raccroché en attente" if was_queued else "Raccroché avant de répondre",
        duration_seconds=0.0,
        case_numbers=[],
        sip_call_id=call.call_id,
        received_at=now,
        updated_at=now,
        callback_note="",
        queue_wait_seconds=call.wait_seconds,
    )
    session.add(record)
    session.flush()
    call.call_record_id = record.id
    feed.append_event(
        session, CallRecorded(call_id=record.id, operator_id=None, outcome="missed", new=True), now
    )
    if was_queued:
        _queue_changed(session, call, LOST, now)


def next_offer(session: Session, now: datetime) -> QueueOfferOut | None:
    """The oldest waiting caller and the longest-idle free operator, now reserved for them; None
    when nobody waits or nobody is free. An offer whose time ran out is waiting again."""
    if session.scalar(queue_query(now).limit(1)) is None:
        return None  # the holder asks every 250 ms: nobody waiting costs no lock
    settings = hotline_settings.locked(session)
    entries = session.scalars(queue_query(now).order_by(HotlineCall.arrived_at, HotlineCall.id))
    entry = next((e for e in entries if e.state == WAITING or (e.offered_until or now) < now), None)
    if entry is None:
        return None
    free = _free_agents(session, now)
    if not free:
        return None
    agent = free[0]
    _reserve(agent, entry.call_id, settings, now)
    entry.state, entry.offered_to, entry.offered_until = OFFERED, agent.user_id, agent.reserved_until
    _queue_changed(session, entry, OFFERED, now)
    return QueueOfferOut(
        entry_id=entry.id,
        call_id=entry.call_id,
        caller_number=entry.caller_number,
        caller_name=entry.caller_name,
        target=agent.sip_user or "",
        ring_seconds=settings.ring_seconds,
    )
