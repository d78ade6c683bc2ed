"""The back office's list of users, each with the login block in force on its username: the end of
the longest block of the login throttle's `pair` rows (username × source), read in the same query
as the page of users (one query whatever the page's size)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from server.models import LoginCounter, User
from server.services import accounts
from shared.schemas.back_office import AdminUserOut


def _blocks(now: datetime) -> Select[str, datetime | None]:
    """Per username, the end of its longest block still in force at `now`."""
    until = func.max(LoginCounter.blocked_until).label("blocked_until")
    return (
        select(LoginCounter.username, until)
        .where(LoginCounter.scope == "pair", LoginCounter.blocked_until > now)
        .group_by(LoginCounter.username)
    )


def page(session: Session, query: Select[User], now: datetime, limit: int, offset: int) -> list[AdminUserOut]:
    """The users `query` selects (its order kept), `limit` from `offset`, with `blocked_until`."""
    blocks = _blocks(now).subquery("blocks")
    rows = session.execute(
        query.outerjoin(blocks, blocks.c.username == User.username)
        .add_columns(blocks.c.blocked_until)
        .limit(limit)
        .offset(offset)
    )
    return [
        AdminUserOut(**accounts.user_out(user).model_dump(), blocked_until=blocked_until)
        for user, blocked_until in rows
    ]
