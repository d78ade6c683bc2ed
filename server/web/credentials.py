"""The password check of the web login: the same rules as the API's (server/api/routes/auth.py):
argon2id, the seeds' slow-down (4 wrong → 30 s, doubling; per username, known or not), an
unknown username costing a full verification, each failure audited (`login_failed`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import User
from server.security import throttle
from server.security.audit import Origin, record_audit
from server.security.passwords import hash_password, needs_rehash, verify_password
from shared.domain import Role

BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect"
NOT_A_PROFESSIONAL = "Cette application est réservée aux professionnels de santé"


def blocked_message(seconds: int) -> str:
    return f"Trop d'essais infructueux : réessayez dans {seconds} s"


@dataclass(frozen=True)
class LoginOutcome:
    """The user on success; otherwise the French reason, and the block it started (seconds)."""

    user: User | None
    refusal: str = ""
    blocked: int = 0


def check_password(
    session: Session, username: str, password: str, now: datetime, origin: Origin
) -> LoginOutcome:
    """Call it in a transaction that commits even on a refusal (the failure count is kept)."""
    username = username.strip().lower()
    wait = throttle.seconds_blocked(session, username, now)
    if wait:
        return LoginOutcome(None, blocked_message(wait), wait)
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        blocked = throttle.record_failure(session, username, now)
        record_audit(session, now, origin, None, "login_failed", status=401, username=username)
        return LoginOutcome(None, blocked_message(blocked) if blocked else BAD_CREDENTIALS, blocked)
    throttle.record_success(session, username)
    if user.role != Role.PROFESSIONAL.value:
        record_audit(session, now, origin, None, "login_refused_role", status=403, username=username)
        return LoginOutcome(None, NOT_A_PROFESSIONAL)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginOutcome(user)
