"""The password check of the web login: the JSON API's own (server/services/authentication.py:
the login limits, argon2id outside any transaction, an unknown username costing a full
verification), plus the web app's rule that only professionals log in here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from server.db import Database
from server.errors import RateLimited, Unauthenticated
from server.models import User
from server.security.audit import Origin, record_audit
from server.security.login_limits import LoginLimits
from server.services.authentication import log_in
from shared.domain import Role

T = TypeVar("T")
NOT_A_PROFESSIONAL = "Cette application est réservée aux professionnels de santé"


@dataclass(frozen=True)
class LoginOutcome(Generic[T]):
    """What `on_success` opened; otherwise the French reason, and the block in force (seconds)."""

    opened: T | None
    refusal: str = ""
    blocked: int = 0


def check_password(
    db: Database,
    limits: LoginLimits,
    now: datetime,
    username: str,
    password: str,
    origin: Origin,
    on_success: Callable[[Session, User], T],
) -> LoginOutcome[T]:
    """Log a professional in: `on_success(session, user)` runs in the transaction that records
    the success. Every other role is refused (audited `login_refused_role`)."""

    def professionals_only(session: Session, user: User) -> T | None:
        if user.role != Role.PROFESSIONAL.value:
            record_audit(session, now, origin, None, "login_refused_role", status=403, username=user.username)
            return None
        return on_success(session, user)

    try:
        opened = log_in(db, limits, now, username, password, origin, professionals_only)
    except RateLimited as exc:
        return LoginOutcome(None, exc.message, exc.retry_after)
    except Unauthenticated as exc:
        return LoginOutcome(None, exc.message)
    if opened is None:
        return LoginOutcome(None, NOT_A_PROFESSIONAL)
    return LoginOutcome(opened)
