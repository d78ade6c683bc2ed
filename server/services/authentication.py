"""Logging in with a username and a password: the JSON API's `POST /auth/login` and the web app's
login page both come here (each then opens its own kind of session in `on_success`).

1. The attempt is counted before anything else (server/security/login_limits.py: per account ×
   source, per source, per account, for the platform), in a short transaction of its own; a
   refusal leaves before any password is checked.
2. The password is checked (argon2id, slow on purpose) **outside any transaction**: on the
   embedded SQLite server a transaction holds the single write lock, and a login flood would
   otherwise stall every other write (case creation went from 7 ms to 1.2 s); and no more than
   half the cores check passwords at once (`_HASHING`).
3. The outcome is written in a second short transaction: a failure may start a block; a success
   resets the series and calls `on_success` with the user, in the same transaction.

An unknown username costs a full verification too (a dummy hash) and gets the same answer.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import Database
from server.errors import RateLimited, Unauthenticated
from server.models import User
from server.security import login_limits
from server.security.audit import Origin, record_audit
from server.security.login_limits import LoginLimits
from server.security.passwords import hash_password, needs_rehash, verify_password

T = TypeVar("T")
# Password checks running at once in this process: argon2 takes a core (and its memory) for tens of
# milliseconds; a flood beyond this waits here, asleep, leaving the other cores to the rest of the
# server (case creation went on at 1-2 s under 8 parallel logins on 2 cores without it).
_HASHING = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))
BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect"


@dataclass(frozen=True)
class _Account:
    id: int
    password_hash: str
    active: bool


def normalised_username(username: str) -> str:
    return username.strip().lower()


def log_in(
    db: Database,
    limits: LoginLimits,
    now: datetime,
    username: str,
    password: str,
    origin: Origin,
    on_success: Callable[[Session, User], T],
) -> T:
    """`on_success(session, user)`'s answer; RateLimited (429) or Unauthenticated (401) otherwise."""
    username = normalised_username(username)
    source = login_limits.source_of(origin.client_ip)
    with db.session() as session:
        admission = login_limits.admit(session, limits, username, source, now)
        if admission.audit is not None:
            action, detail = admission.audit
            record_audit(session, now, origin, None, action, status=429, username=username, **detail)
        account = None if admission.refusal else _account(session, username)
    if admission.refusal is not None:
        refusal = admission.refusal
        raise RateLimited(refusal.code, refusal.message, retry_after=refusal.retry_after)

    with _HASHING:
        ok = verify_password(account.password_hash if account else None, password)
        rehash = ok and account is not None and needs_rehash(account.password_hash)
        new_hash = hash_password(password) if rehash else None

    if ok and account is not None and account.active:
        with db.session() as session:
            user = session.get(User, account.id)
            if user is not None and user.active:
                login_limits.record_success(session, admission, now)
                if new_hash is not None:
                    user.password_hash = new_hash
                return on_success(session, user)
    with db.session() as session:
        blocked, audits = login_limits.record_failure(session, limits, admission, now)
        for action, detail in audits:
            status = 429 if action == "login_blocked" else 401
            record_audit(session, now, origin, None, action, status=status, username=username, **detail)
    if blocked:
        raise RateLimited("login_blocked", login_limits.blocked_message(blocked), retry_after=blocked)
    raise Unauthenticated("bad_credentials", BAD_CREDENTIALS)


def _account(session: Session, username: str) -> _Account | None:
    row = session.execute(
        select(User.id, User.password_hash, User.active).where(User.username == username)
    ).one_or_none()
    return None if row is None else _Account(row.id, row.password_hash, row.active)
