"""Operators' states, kept by the server (issue 19, docs/hotline.md): Disponible, Pause (with a
reason from the settings), En appel, Post-appel, Hors ligne.

The desktop says what its operator does (`PUT /agents/me/state`); the server changes it too: a call
answered (En appel), ended (Post-appel), a wrap-up whose delay passed (Disponible), too many calls
left unanswered (Pause « unanswered »), a desktop gone (Hors ligne). Every change closes the current
period of `agent_state_periods` (the statistics' pause and wrap-up time), opens the next and appends
one `AgentStateChanged` event, in the same transaction, under the hotline's lock
(server/services/hotline_settings.py). Setting the state one already has changes nothing (no event).

Who holds a state: the hotline's operators, and its supervisors, who answer its phone too (the
desktop gives both « Mon état »).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from server.errors import Conflict, Invalid
from server.models import Agent, AgentStatePeriod, User, user_networks
from server.security.principal import Principal
from server.services import feed, hotline_settings
from server.services.board import is_platform_supervisor
from shared.domain import Role
from shared.schemas.feed import AgentStateChanged
from shared.schemas.hotline import UNANSWERED_PAUSE, AgentOut, AgentState, AgentStateIn, HotlineSettings

AGENT_ROLES = (Role.OPERATOR, Role.SUPERVISOR)
# Why the server set a state itself (AgentStateChanged.automatic).
AUTO_UNANSWERED = "unanswered"  # too many ringing calls left unanswered in a row → Pause
AUTO_DISCONNECTED = "disconnected"  # the desktop's feed connection was gone for 5 s → Hors ligne
AUTO_ANSWERED = "answered"  # a hotline call was answered → En appel
AUTO_ENDED = "ended"  # that call ended → Post-appel (or Disponible without wrap-up)
AUTO_WRAP_UP = "wrap_up"  # the wrap-up's delay passed → Disponible
AUTO_SIGNED_OUT = "signed_out"  # logged out → Hors ligne

AVAILABLE, PAUSE, IN_CALL, AFTER_CALL, OFFLINE = (
    AgentState.AVAILABLE,
    AgentState.PAUSE,
    AgentState.IN_CALL,
    AgentState.AFTER_CALL,
    AgentState.OFFLINE,
)
# What an operator may ask for, from each state (the same state again is always allowed).
TRANSITIONS: dict[AgentState, frozenset[AgentState]] = {
    OFFLINE: frozenset({AVAILABLE, PAUSE}),
    AVAILABLE: frozenset({PAUSE, IN_CALL, OFFLINE}),
    PAUSE: frozenset({AVAILABLE, IN_CALL, OFFLINE}),
    IN_CALL: frozenset({AFTER_CALL, AVAILABLE, PAUSE, OFFLINE}),
    AFTER_CALL: frozenset({AVAILABLE, PAUSE, IN_CALL, OFFLINE}),
}


def agent_of(session: Session, user_id: int, now: datetime) -> Agent:
    """The operator's row (Hors ligne since now when they never had one)."""
    agent = session.get(Agent, user_id)
    if agent is None:
        agent = Agent(user_id=user_id, state=OFFLINE.value, since=now, caller="", unanswered_in_row=0)
        session.add(agent)
        session.flush()
    return agent


def is_reserved(agent: Agent, now: datetime) -> bool:
    return (
        agent.reserved_call_id is not None and agent.reserved_until is not None and agent.reserved_until > now
    )


def release(agent: Agent) -> None:
    agent.reserved_call_id = None
    agent.reserved_until = None


def change(
    session: Session,
    agent: Agent,
    state: AgentState,
    now: datetime,
    *,
    pause_reason: str | None = None,
    automatic: str | None = None,
    call_id: str | None = None,
    caller: str = "",
) -> bool:
    """Put `agent` in `state`; False (nothing written) when they are in it already."""
    if state == AgentState.IN_CALL and agent.state == state:
        agent.call_id = agent.call_id or call_id
        agent.caller = caller or agent.caller
        return False
    if agent.state == state and agent.pause_reason == pause_reason:
        return False
    open_period = session.scalar(
        select(AgentStatePeriod).where(
            AgentStatePeriod.user_id == agent.user_id, AgentStatePeriod.ended_at.is_(None)
        )
    )
    if open_period is not None:
        open_period.ended_at = max(now, open_period.started_at)
    if agent.state == AgentState.IN_CALL:
        agent.idle_since = now  # the end of the last call: the longest-idle order
    if state != AgentState.AVAILABLE:
        release(agent)
    agent.state, agent.since, agent.pause_reason, agent.automatic = state.value, now, pause_reason, automatic
    agent.call_id = call_id if state == AgentState.IN_CALL else None
    agent.caller = caller if state == AgentState.IN_CALL else ""
    if state == AgentState.OFFLINE:
        agent.connected_until = None  # back online, the desktop's feed connection is watched again
    session.add(
        AgentStatePeriod(
            user_id=agent.user_id,
            state=state.value,
            pause_reason=pause_reason,
            automatic=automatic,
            started_at=now,
        )
    )
    event = AgentStateChanged(
        user_id=agent.user_id, state=state.value, pause_reason=pause_reason, automatic=automatic
    )
    feed.append_event(session, event, now)
    return True


def _check(agent: Agent, body: AgentStateIn, settings: HotlineSettings) -> None:
    current = AgentState(agent.state)
    if body.state != current and body.state not in TRANSITIONS[current]:
        raise Invalid(
            "agent_transition",
            f"Passage impossible de « {current.label} » à « {body.state.label} »",
            state=current.value,
        )
    if body.state != AgentState.PAUSE:
        if body.pause_reason is not None:
            raise Invalid("pause_reason_unexpected", "Un motif de pause n'accompagne que l'état « Pause »")
        return
    if body.pause_reason is None:
        raise Invalid("pause_reason_required", "Choisissez le motif de la pause")
    if body.pause_reason not in {c.code for c in settings.pause_reasons}:
        raise Invalid("pause_reason_unknown", f"Motif de pause inconnu : « {body.pause_reason} »")
    already = current == AgentState.PAUSE and agent.pause_reason == UNANSWERED_PAUSE
    if body.pause_reason == UNANSWERED_PAUSE and not already:
        raise Invalid(
            "pause_reason_reserved", "Le motif « Appels non répondus » est posé par le serveur, pas choisi"
        )


def _claim_sip_user(session: Session, agent: Agent, sip_user: str, now: datetime) -> None:
    """`sip_user` becomes this operator's; another operator keeps it only while not Hors ligne."""
    if agent.sip_user == sip_user:
        return
    holder = session.scalar(select(Agent).where(Agent.sip_user == sip_user, Agent.user_id != agent.user_id))
    if holder is not None:
        if holder.state != AgentState.OFFLINE:
            name = session.scalar(select(User.display_name).where(User.id == holder.user_id)) or ""
            raise Conflict(
                "sip_user_taken", f"Le compte SIP « {sip_user} » est celui de {name}, actuellement connecté"
            )
        holder.sip_user = None
        session.flush()
    agent.sip_user = sip_user


def set_own(session: Session, by: Principal, body: AgentStateIn, now: datetime) -> AgentOut:
    """The desktop's `PUT /agents/me/state`: checked against the transitions and the settings."""
    settings = hotline_settings.locked(session)
    agent = agent_of(session, by.id, now)
    _check(agent, body, settings)
    if body.sip_user is not None:
        _claim_sip_user(session, agent, body.sip_user, now)
    changed = change(
        session,
        agent,
        body.state,
        now,
        pause_reason=body.pause_reason,
        call_id=body.call_id,
        caller=body.caller,
    )
    if changed and body.state == AgentState.AVAILABLE:
        agent.unanswered_in_row = 0  # back by their own choice: the count starts again
    session.flush()
    return view(session, agent, settings, now)


def signed_out(session: Session, user_id: int, now: datetime) -> None:
    """Logging out puts the operator Hors ligne (the desktop says it first; this is the backstop)."""
    agent = session.get(Agent, user_id)
    if agent is None:
        return
    hotline_settings.locked(session)
    change(session, agent, AgentState.OFFLINE, now, automatic=AUTO_SIGNED_OUT)


def view(session: Session, agent: Agent, settings: HotlineSettings, now: datetime) -> AgentOut:
    user = session.get(User, agent.user_id)
    assert user is not None
    return _out(agent, user, settings, now)


def _out(agent: Agent, user: User, settings: HotlineSettings, now: datetime) -> AgentOut:
    return AgentOut(
        user_id=agent.user_id,
        name=user.display_name,
        username=user.username,
        sip_user=agent.sip_user,
        state=AgentState(agent.state),
        since=agent.since,
        pause_reason=agent.pause_reason,
        pause_label=hotline_settings.label_of(settings.pause_reasons, agent.pause_reason),
        caller=agent.caller,
        idle_since=agent.idle_since,
        unanswered_in_row=agent.unanswered_in_row,
        connected=agent.connected_until is not None and agent.connected_until > now,
    )


def own(session: Session, by: Principal, now: datetime) -> AgentOut:
    agent = session.get(Agent, by.id) or Agent(
        user_id=by.id, state=OFFLINE.value, since=now, caller="", unanswered_in_row=0
    )
    return view(session, agent, hotline_settings.current(session), now)


def visible_user_ids(by: Principal) -> object | None:
    """Whose state a supervisor sees: everyone for the platform's supervisor and the admin (None);
    for a network's supervisor, the operators of their networks (as the supervision routes do)."""
    if by.role == Role.ADMIN or is_platform_supervisor(by):
        return None
    return exists().where(
        user_networks.c.user_id == User.id, user_networks.c.network_id.in_(list(by.network_ids) or [-1])
    )


def visible(session: Session, by: Principal, now: datetime) -> list[AgentOut]:
    """The supervisor's live grid, by name; people who never held a state are not in it."""
    settings = hotline_settings.current(session)
    query = select(Agent, User).join(User, User.id == Agent.user_id).order_by(User.display_name, User.id)
    scope = visible_user_ids(by)
    if scope is not None:
        query = query.where(scope)  # type: ignore[arg-type]
    return [_out(agent, user, settings, now) for agent, user in session.execute(query).tuples()]


def end_wrap_ups(session: Session, now: datetime) -> int:
    """Post-appel ends by itself `wrap_up_seconds` after it began (due work, every second)."""
    if session.scalar(select(Agent.user_id).where(Agent.state == AFTER_CALL.value).limit(1)) is None:
        return 0  # the usual case, without taking the hotline's lock
    settings = hotline_settings.locked(session)
    due = now - timedelta(seconds=settings.wrap_up_seconds)
    ended = 0
    for agent in session.scalars(select(Agent).where(Agent.state == AFTER_CALL.value, Agent.since <= due)):
        ended += change(session, agent, AVAILABLE, now, automatic=AUTO_WRAP_UP)
    return ended
