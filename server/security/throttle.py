"""Login slow-down: 4 wrong passwords block the username for 30 s, each further block doubles.

The rule is the seeds' own (mobile app: « En saisissant le schéma erroné 4 fois, l'application
se bloque pendant 30 secondes. Le temps du blocage est doublé lors de 4 essais erronés »). It is
kept per username in the database, so it holds across server processes and restarts, and applies
to unknown usernames too (no way to probe which accounts exist).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from server.models import LoginThrottle

FAILURES_PER_BLOCK = 4
FIRST_BLOCK_SECONDS = 30
MAX_BLOCK_SECONDS = 24 * 3600


def seconds_blocked(session: Session, username: str, now: datetime) -> int:
    """Seconds left before this username may try again (0: it may)."""
    row = session.get(LoginThrottle, username)
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return 0
    return max(1, math.ceil((row.blocked_until - now).total_seconds()))


def record_failure(session: Session, username: str, now: datetime) -> int:
    """Count a failure; returns the block in seconds it triggered (0 when none)."""
    row = session.get(LoginThrottle, username, with_for_update=True)
    if row is None:
        row = LoginThrottle(username=username, failures=0, blocks=0)
        session.add(row)
    row.failures += 1
    if row.failures < FAILURES_PER_BLOCK:
        return 0
    seconds: int = min(FIRST_BLOCK_SECONDS * (1 << row.blocks), MAX_BLOCK_SECONDS)
    row.failures = 0
    row.blocks += 1
    row.blocked_until = now + timedelta(seconds=seconds)
    return seconds


def record_success(session: Session, username: str) -> None:
    row = session.get(LoginThrottle, username)
    if row is not None:
        session.delete(row)
