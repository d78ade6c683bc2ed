"""A desktop that vanished stops being rung: its operator goes Hors ligne when its feed connection
(the `/events` WebSocket) has been gone for `GRACE` (5 s), unless it came back within that time.

Each server process refreshes `agent_states.connected_until` for the operators whose WebSocket it
holds (server/live/presence.py: every second, to now + GRACE + one period); when a process's last
connection of an operator closes it sets `connected_until` to now + GRACE. `sweep` (due work of
every process, every second) puts Hors ligne, with `automatic="disconnected"`, whoever is not Hors
ligne and whose `connected_until` has passed. Since the record is in the database, an operator
connected to another process, or reconnected to any, is kept; a process that dies stops refreshing
and its operators go Hors ligne after at most GRACE + one period.

A desktop that follows the feed by polling `GET /changes` (every 2 s, when its WebSocket is refused)
refreshes it at each read. Only operators whose desktop has followed the feed since they were last
Hors ligne are watched (`connected_until` not None): a program driving the API without the feed
(tests, scripts, the telephony's SIP test peers) is not.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db import Database
from server.models import Agent
from server.services import agent_states, hotline_settings
from shared.schemas.hotline import AgentState

GRACE = timedelta(seconds=5)
HEARTBEAT = timedelta(seconds=1)


def refresh(session: Session, user_ids: Collection[int], now: datetime) -> None:
    """These operators' feed connections are up (in this process)."""
    if user_ids:
        session.execute(
            update(Agent)
            .where(Agent.user_id.in_(list(user_ids)))
            .values(connected_until=now + GRACE + HEARTBEAT)
            .execution_options(synchronize_session=False)
        )


def left(session: Session, user_id: int, now: datetime) -> None:
    """This process's last feed connection of the operator closed: GRACE to come back."""
    session.execute(
        update(Agent)
        .where(Agent.user_id == user_id, Agent.connected_until.is_not(None))
        .values(connected_until=now + GRACE)
        .execution_options(synchronize_session=False)
    )


def _gone(now: datetime) -> object:
    return (Agent.state != AgentState.OFFLINE.value) & (Agent.connected_until < now)


def sweep(session: Session, now: datetime) -> int:
    """Hors ligne for the operators whose desktop is gone; returns how many."""
    if session.scalar(select(Agent.user_id).where(_gone(now)).limit(1)) is None:  # type: ignore[arg-type]
        return 0  # the usual case, without taking the hotline's lock
    hotline_settings.locked(session)
    gone = 0
    for agent in session.scalars(select(Agent).where(_gone(now))):  # type: ignore[arg-type]
        gone += agent_states.change(
            session, agent, AgentState.OFFLINE, now, automatic=agent_states.AUTO_DISCONNECTED
        )
    return gone


def due(db: Database, now: datetime) -> int:
    """The hotline's due work, every second in every process: wrap-ups whose delay passed end,
    vanished desktops' operators go Hors ligne."""
    with db.session() as session:
        return agent_states.end_wrap_ups(session, now) + sweep(session, now)
