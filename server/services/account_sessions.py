"""Ending every session of an account, as any change of its password must: API tokens revoked,
web sessions closed, trusted devices (PIN) forgotten, the login blocks on it lifted, and a hotline
operator put Hors ligne."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from server.models import AuthToken, User, WebDevice, WebSession
from server.security import login_limits
from server.services import agent_states


def end_sessions(session: Session, user: User, now: datetime) -> None:
    for statement in (
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.revoked.is_(False))
        .values(revoked=True),
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.revoked.is_(False))
        .values(revoked=True),
        update(WebDevice)
        .where(WebDevice.user_id == user.id, WebDevice.forgotten.is_(False))
        .values(forgotten=True),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    login_limits.lift_blocks(session, user.username, now)
    agent_states.signed_out(session, user.id, now)  # no session left: no longer rung
