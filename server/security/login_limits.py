"""The login limits: per account × source (the seeds' slow-down), per source, per account and for
the whole platform. Why these four, and their figures: docs/server.md « Login limits ».

- **pair** (username × source: an IPv4 address, an IPv6 /64): 4 wrong passwords block that
  username *from that source* for 30 s, each further block doubles, up to 24 h — the seeds' rule
  (« En saisissant le schéma erroné 4 fois, l'application se bloque pendant 30 secondes… »). An
  attacker elsewhere blocks only himself: the operator's workstation is another source.
- **source**: `source_limit` attempts per `source_window` from one source, whatever the usernames.
- **account**: `account_limit` attempts per `account_window` on one username from all the sources
  where it has not logged in lately (a crowd of sources on one account).
- **all**: `global_limit` attempts per `global_window` on the platform from such sources.

A source where the account logged in successfully during the last `known_days` is **known**: it is
held by the pair rule only, so that no attack from elsewhere locks an operator out of their own
workstation. Known or not, unknown usernames are counted the same (nothing tells which exist).

Every attempt is counted atomically *before* its password is checked (`INSERT … ON CONFLICT DO
UPDATE … RETURNING`), so parallel attempts on several server processes each get their own number:
no more than the allowed number ever reach the password hash. A success gives its attempt back.
Refusals are counted in the rows (`refused`), not written one by one to the audit trail: it gets
the first failure of a series (`login_failed`), each block (`login_blocked`) and the first refusal
of each window (`login_limited`), with the counts.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.models import LoginCounter
from server.models.base import UtcDateTime

_counters = LoginCounter.__table__
_KEY = ["scope", "username", "source"]


@dataclass(frozen=True)
class LoginLimits:
    failures_per_block: int = 4
    first_block_seconds: int = 30
    max_block_seconds: int = 24 * 3600
    source_limit: int = 30
    source_window: int = 15 * 60
    account_limit: int = 100
    account_window: int = 3600
    global_limit: int = 1000
    global_window: int = 10 * 60
    known_days: int = 30

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LoginLimits:
        """`CENTRALE_LOGIN_SOURCE_LIMIT`, `…_ACCOUNT_LIMIT`, `…_GLOBAL_LIMIT` (attempts per window)."""
        defaults = cls()
        return cls(
            source_limit=_positive(env, "CENTRALE_LOGIN_SOURCE_LIMIT", defaults.source_limit),
            account_limit=_positive(env, "CENTRALE_LOGIN_ACCOUNT_LIMIT", defaults.account_limit),
            global_limit=_positive(env, "CENTRALE_LOGIN_GLOBAL_LIMIT", defaults.global_limit),
        )

    def block_seconds(self, blocks: int) -> int:
        """The length of the block after `blocks` earlier ones."""
        return min(self.first_block_seconds * (1 << min(blocks, 20)), self.max_block_seconds)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} doit être un nombre entier positif (reçu : {text!r})")
    return int(text)


@dataclass(frozen=True)
class Refusal:
    """An attempt refused before its password was checked."""

    code: str
    message: str
    retry_after: int


@dataclass(frozen=True)
class WindowKey:
    scope: str
    username: str
    source: str
    window_start: datetime


@dataclass(frozen=True)
class Admission:
    """What the counters said of one attempt, before its password is checked."""

    username: str
    source: str
    attempt: int  # its number in the pair's series (1 = the first since the last success or block)
    known: bool
    windows: tuple[WindowKey, ...] = ()
    refusal: Refusal | None = None
    # An audit entry the caller writes with the refusal: (action, detail).
    audit: tuple[str, dict[str, Any]] | None = None


def source_of(ip: str | None) -> str:
    """The source counted for an address: the IPv4 address, the /64 of an IPv6 one (one site)."""
    if not ip:
        return "inconnue"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _upsert(session: Session, values: dict[str, Any], set_: dict[str, Any]) -> Any:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(LoginCounter)
        .values(**values)
        .on_conflict_do_update(index_elements=_KEY, set_=set_)
        .returning(
            _counters.c.attempts,
            _counters.c.refused,
            _counters.c.blocks,
            _counters.c.blocked_until,
            _counters.c.window_start,
            _counters.c.last_success_at,
        )
    )
    return session.execute(statement).one()


def _fresh(scope: str, username: str, source: str, now: datetime | None) -> dict[str, Any]:
    return {
        "scope": scope,
        "username": username,
        "source": source,
        "attempts": 1,
        "refused": 0,
        "blocks": 0,
        "window_start": now,
    }


def _key(scope: str, username: str, source: str) -> ColumnElement[bool]:
    return and_(_counters.c.scope == scope, _counters.c.username == username, _counters.c.source == source)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def blocked_message(seconds: int) -> str:
    return f"Trop d'essais infructueux : réessayez dans {seconds} s"


_WINDOW_MESSAGES = {
    "source": (
        "login_source_limited",
        "Trop d'essais de connexion depuis cette adresse : réessayez dans {} s",
    ),
    "account": (
        "login_account_limited",
        "Trop d'essais de connexion sur ce compte depuis des postes inhabituels : réessayez dans {} s, "
        "ou depuis votre poste habituel",
    ),
    "all": (
        "login_global_limited",
        "Trop d'essais de connexion sur la plateforme : réessayez dans {} s, ou depuis votre poste habituel",
    ),
}


def admit(session: Session, limits: LoginLimits, username: str, source: str, now: datetime) -> Admission:
    """Count one attempt before its password is checked; a refusal says why and for how long.
    The caller commits this transaction whatever the answer (the count is the point)."""
    pair = _pair_reservation(session, limits, username, source, now)
    if pair.refusal is not None:
        return pair
    if pair.known:
        return pair
    windows = (
        ("source", "", source, limits.source_limit, limits.source_window),
        ("account", username, "", limits.account_limit, limits.account_window),
        ("all", "", "", limits.global_limit, limits.global_window),
    )
    reserved: list[WindowKey] = []
    for scope, window_user, window_source, limit, seconds in windows:
        start = now - timedelta(seconds=seconds)
        expired = or_(_counters.c.window_start.is_(None), _counters.c.window_start <= start)
        row = _upsert(
            session,
            _fresh(scope, window_user, window_source, now),
            {
                "attempts": case((expired, 1), else_=_counters.c.attempts + 1),
                "window_start": case((expired, literal(now, UtcDateTime())), else_=_counters.c.window_start),
                "refused": case(
                    (and_(~expired, _counters.c.attempts >= limit), _counters.c.refused + 1),
                    else_=_counters.c.refused,
                ),
            },
        )
        reserved.append(WindowKey(scope, window_user, window_source, row.window_start))
        if row.attempts > limit:
            _give_back(session, "pair", username, source)  # not checked: not a try of the pair's
            code, template = _WINDOW_MESSAGES[scope]
            wait = _seconds_until(row.window_start + timedelta(seconds=seconds), now)
            audit = None
            if row.attempts == limit + 1:  # the first refusal of this window: once in the trail
                audit = (
                    "login_limited",
                    {"scope": scope, "source": source, "limit": limit, "window": seconds},
                )
            return Admission(
                username,
                source,
                pair.attempt,
                False,
                tuple(reserved),
                Refusal(code, template.format(wait), wait),
                audit,
            )
    return Admission(username, source, pair.attempt, False, tuple(reserved))


def _pair_reservation(
    session: Session, limits: LoginLimits, username: str, source: str, now: datetime
) -> Admission:
    blocked = and_(_counters.c.blocked_until.is_not(None), _counters.c.blocked_until > now)
    row = _upsert(
        session,
        _fresh("pair", username, source, None),
        {
            "attempts": case((blocked, _counters.c.attempts), else_=_counters.c.attempts + 1),
            "refused": case(
                (or_(blocked, _counters.c.attempts >= limits.failures_per_block), _counters.c.refused + 1),
                else_=_counters.c.refused,
            ),
        },
    )
    recent = now - timedelta(days=limits.known_days)
    known = row.last_success_at is not None and row.last_success_at > recent
    refusal = None
    if row.blocked_until is not None and row.blocked_until > now:
        wait = _seconds_until(row.blocked_until, now)
        refusal = Refusal("login_blocked", blocked_message(wait), wait)
    elif row.attempts > limits.failures_per_block:
        # Every try of the series is taken by attempts being checked right now: a block is coming.
        wait = limits.block_seconds(row.blocks)
        refusal = Refusal("login_blocked", blocked_message(wait), wait)
    return Admission(username, source, row.attempts, known, refusal=refusal)


def _give_back(
    session: Session, scope: str, username: str, source: str, since: datetime | None = None
) -> None:
    """Return an attempt that was not a real try (refused further on, or a success)."""
    condition = and_(_key(scope, username, source), _counters.c.attempts > 0)
    if since is not None:
        condition = and_(condition, _counters.c.window_start == since)
    session.execute(update(LoginCounter).where(condition).values(attempts=_counters.c.attempts - 1))


def record_failure(
    session: Session, limits: LoginLimits, admission: Admission, now: datetime
) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
    """A wrong password (or an unknown or inactive account): (the block it started in seconds, 0
    for none; the audit entries to write). The attempt was counted already by `admit`."""
    row = session.get(
        LoginCounter,
        ("pair", admission.username, admission.source),
        with_for_update=True,
        populate_existing=True,
    )
    audits: list[tuple[str, dict[str, Any]]] = []
    if admission.attempt == 1:
        audits.append(("login_failed", {"source": admission.source}))
    if row is None or (row.blocked_until is not None and row.blocked_until > now):
        return 0, audits  # reset by a success meanwhile, or blocked by a parallel failure already
    if row.attempts < limits.failures_per_block:
        return 0, audits
    seconds = limits.block_seconds(row.blocks)
    audits.append(
        (
            "login_blocked",
            {
                "source": admission.source,
                "seconds": seconds,
                "blocks": row.blocks + 1,
                "refused": row.refused,
            },
        )
    )
    row.blocks += 1
    row.attempts = 0
    row.refused = 0
    row.blocked_until = now + timedelta(seconds=seconds)
    return seconds, audits


def record_success(session: Session, admission: Admission, now: datetime) -> None:
    """The right password: the pair's series starts again, the source is known from now on, and
    the windows get their attempt back (a shift change behind one address uses none)."""
    session.execute(
        update(LoginCounter)
        .where(_key("pair", admission.username, admission.source))
        .values(attempts=0, blocks=0, refused=0, blocked_until=None, last_success_at=now)
    )
    for window in admission.windows:
        _give_back(session, window.scope, window.username, window.source, window.window_start)


def lift_blocks(session: Session, username: str, now: datetime, limits: LoginLimits | None = None) -> bool:
    """End every block and limit on `username` (an admin's unblock, a new password); returns
    whether one was in force."""
    limits = limits or LoginLimits()
    in_force = bool(
        session.scalar(
            select(func.count())
            .select_from(LoginCounter)
            .where(
                _counters.c.scope == "pair",
                _counters.c.username == username,
                or_(
                    and_(_counters.c.blocked_until.is_not(None), _counters.c.blocked_until > now),
                    _counters.c.attempts > limits.failures_per_block,
                ),
            )
        )
    )
    session.execute(
        update(LoginCounter)
        .where(_counters.c.scope == "pair", _counters.c.username == username)
        .values(attempts=0, blocks=0, blocked_until=None)
    )
    account = session.get(LoginCounter, ("account", username, ""), with_for_update=True)
    if account is not None:
        start = account.window_start
        recent = start is not None and start > now - timedelta(seconds=limits.account_window)
        in_force = in_force or (recent and account.attempts > limits.account_limit)
        session.delete(account)
    return in_force


def blocked_logins(session: Session, now: datetime) -> list[tuple[str, datetime]]:
    """The usernames blocked from some source now, each with the end of its longest block."""
    until = func.max(_counters.c.blocked_until)
    rows = session.execute(
        select(_counters.c.username, until)
        .where(_counters.c.scope == "pair", _counters.c.blocked_until > now)
        .group_by(_counters.c.username)
        .order_by(until.desc())
    )
    return [(username, moment) for username, moment in rows if moment is not None]
