"""The hotline's operators' states (`/agents`), its settings and its queue (`/hotline`), issue 19."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from server.api.context import Caller, RoleGuard
from server.security.principal import STAFF
from server.services import agent_states, hotline_queue, hotline_settings
from shared.domain import Role
from shared.schemas.hotline import AgentOut, AgentStateIn, HotlineSettings, QueueOut

router = APIRouter(tags=["hotline"])
AgentCaller = Annotated[Caller, Depends(RoleGuard(*agent_states.AGENT_ROLES))]
Supervisor = Annotated[Caller, Depends(RoleGuard(Role.SUPERVISOR, Role.ADMIN))]
Staff = Annotated[Caller, Depends(RoleGuard(*STAFF, Role.ADMIN))]
Admin = Annotated[Caller, Depends(RoleGuard(Role.ADMIN))]


@router.put("/agents/me/state", response_model=AgentOut)
def set_my_state(body: AgentStateIn, caller: AgentCaller) -> AgentOut:
    """The desktop says what its operator does; 422 (French) for a transition or a pause reason
    the settings refuse, 409 for a SIP account another connected operator holds. Setting the
    state one is in changes nothing (no event)."""
    with caller.state.db.session() as session:
        return agent_states.set_own(session, caller.principal, body, caller.state.clock.now())


@router.get("/agents/me", response_model=AgentOut)
def my_state(caller: AgentCaller) -> AgentOut:
    """My state as the server holds it (Hors ligne when never set): a desktop that restarts
    resumes from it, and learns of a pause the server put it in."""
    with caller.state.db.session() as session:
        return agent_states.own(session, caller.principal, caller.state.clock.now())


@router.get("/agents", response_model=list[AgentOut])
def agents(caller: Supervisor) -> list[AgentOut]:
    """The live grid: the platform's supervisor and the admin see every operator, a network's
    supervisor those of their networks."""
    with caller.state.db.session() as session:
        grid = agent_states.visible(session, caller.principal, caller.state.clock.now())
        # Who is on the line with whom (a caller may be a patient): read like the call log, audited.
        caller.audit(session, "agents_read", count=len(grid))
        return grid


@router.get("/hotline/settings", response_model=HotlineSettings)
def read_settings(caller: Staff) -> HotlineSettings:
    with caller.state.db.session() as session:
        return hotline_settings.current(session)


@router.put("/hotline/settings", response_model=HotlineSettings)
def write_settings(body: HotlineSettings, caller: Admin) -> HotlineSettings:
    """422 for a code given twice; « unanswered » (Appels non répondus) is kept in the pause
    reasons whatever the list says."""
    with caller.state.db.session() as session:
        saved = hotline_settings.replace(session, body, caller.principal, caller.state.clock.now())
        caller.audit(session, "hotline_settings_write", settings=saved.model_dump(mode="json"))
        return saved


@router.get("/hotline/queue", response_model=QueueOut)
def queue(caller: Staff) -> QueueOut:
    """The callers waiting, oldest first (their numbers: audited as a read of the call log is)."""
    with caller.state.db.session() as session:
        seen = hotline_queue.view(session, caller.state.clock.now())
        caller.audit(session, "hotline_queue_read", count=len(seen.waiting))
        return seen
