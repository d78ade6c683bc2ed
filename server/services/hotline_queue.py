"""The hotline's queue as the supervisors see it (`GET /hotline/queue`): callers waiting, oldest first.

The estimated wait is the mean wait of the queued callers answered within the last hour (None
without such a call): simple, and honest about what it is; the desktop says « estimée ».
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.models import Agent, HotlineCall
from server.services.hotline_routing import ANSWERED, ENDED, OFFERED, WAITING, queue_query
from shared.schemas.hotline import AgentState, QueueEntryOut, QueueOut

ESTIMATE_WINDOW = timedelta(hours=1)


def _entry(call: HotlineCall, now: datetime) -> QueueEntryOut:
    offered = call.state == OFFERED and call.offered_until is not None and call.offered_until > now
    return QueueEntryOut(
        id=call.id,
        call_id=call.call_id,
        caller_number=call.caller_number,
        caller_name=call.caller_name,
        arrived_at=call.arrived_at,
        state=OFFERED if offered else WAITING,
        operator_id=call.offered_to if offered else None,
        waited_seconds=round(max(0.0, (now - call.arrived_at).total_seconds()), 1),
    )


def view(session: Session, now: datetime) -> QueueOut:
    calls = session.scalars(queue_query(now).order_by(HotlineCall.arrived_at, HotlineCall.id))
    waiting = [_entry(c, now) for c in calls]
    estimate = session.scalar(
        select(func.avg(HotlineCall.wait_seconds)).where(
            HotlineCall.state.in_((ANSWERED, ENDED)),
            HotlineCall.queued_at.is_not(None),
            HotlineCall.answered_at >= now - ESTIMATE_WINDOW,
        )
    )
    available = session.scalar(
        select(func.count()).select_from(Agent).where(Agent.state == AgentState.AVAILABLE.value)
    )
    return QueueOut(
        waiting=waiting,
        longest_wait_seconds=max((e.waited_seconds for e in waiting), default=0.0),
        estimated_wait_seconds=round(float(estimate), 1) if estimate is not None else None,
        available_operators=int(available or 0),
    )
