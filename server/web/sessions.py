"""Browser sessions of the web app: server-side rows behind an opaque cookie.

The cookie carries a random token; the database keeps only its SHA-256 (like the API's bearer
tokens), the user, the session's CSRF token (synchronizer pattern: server/web/guard.py), when it
was last used (idle expiry) and when it ends in any case (absolute expiry). Only professionals
open sessions here.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.models import User, WebDevice, WebSession
from server.security.principal import Principal
from server.web.settings import WebSettings
from shared.domain import Role

SESSION_COOKIE = "centrale_session"
# Writing last_seen_at on every request would make each page a write: once a minute is enough.
TOUCH_EVERY = timedelta(seconds=60)


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the login (« Session expirée » if it was)."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Visitor:
    """The professional behind a valid session, and that session's CSRF token."""

    principal: Principal
    session_id: int
    csrf: str
    device_id: int | None


def open_session(
    session: Session,
    user: User,
    now: datetime,
    settings: WebSettings,
    *,
    method: str,
    client: str,
    device_id: int | None = None,
) -> str:
    """A new session for `user`; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=digest(token),
            user_id=user.id,
            device_id=device_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
            revoked=False,
            method=method,
            client=client,
        )
    )
    return token


def visitor_of(
    session: Session, token: str | None, now: datetime, settings: WebSettings, *, touch: bool = True
) -> Visitor:
    """The session's professional; LoginRequired when there is none or it ended (idle, absolute
    expiry, logout, a deactivated account). A valid session's last use is recorded, unless
    `touch` is false (a refresh the live feed asked for is not the professional's activity)."""
    if not token:
        raise LoginRequired(expired=False)
    row = session.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))
    if row is None or row.revoked:
        raise LoginRequired(expired=row is not None)
    idle_end = row.last_seen_at + timedelta(minutes=settings.idle_minutes)
    if row.expires_at <= now or idle_end <= now:
        raise LoginRequired(expired=True)
    user = session.get(User, row.user_id)
    if user is None or not user.active or user.role != Role.PROFESSIONAL.value:
        raise LoginRequired(expired=True)
    if touch and now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Visitor(Principal.of(user), row.id, row.csrf_token, row.device_id)


def mark_by_token(
    session: Session, model: type[WebSession | WebDevice], token: str | None, **values: object
) -> None:
    """Update the row behind a cookie's token (a session closed, a device forgotten)."""
    if token:
        session.execute(
            update(model)
            .where(model.token_hash == digest(token))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def close_session(session: Session, token: str | None) -> None:
    mark_by_token(session, WebSession, token, revoked=True)


def still_open(session: Session, session_id: int, now: datetime, settings: WebSettings) -> bool:
    """For a live connection: is its session still valid? (Not a use: last_seen_at unchanged.)"""
    row = session.get(WebSession, session_id)
    if row is None or row.revoked or row.expires_at <= now:
        return False
    return row.last_seen_at + timedelta(minutes=settings.idle_minutes) > now
