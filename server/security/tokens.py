"""Opaque bearer tokens: random, stored hashed, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from server.errors import TokenRefused
from server.models import AuthToken, User
from server.models.base import UtcDateTime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, now: datetime, ttl_minutes: int, client: str
) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=ttl_minutes)
    session.add(
        AuthToken(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=expires_at,
            revoked=False,
            client=client[:200],
        )
    )
    return token, expires_at


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid token belongs to: what a request needs of its user."""

    user_id: int
    username: str
    role: str
    display_name: str
    network_ids: tuple[int, ...]
    rpps: str | None


# Every request asks this: fixed statements reading only what is needed (no ORM objects).
_HOLDER = text(
    """
    SELECT t.revoked, t.expires_at, u.id, u.username, u.role, u.display_name, u.active, p.rpps
    FROM auth_tokens t
    JOIN users u ON u.id = t.user_id
    LEFT JOIN professional_profiles p ON p.user_id = u.id
    WHERE t.token_hash = :digest
    """
).columns(expires_at=UtcDateTime())
_NETWORKS = text("SELECT network_id FROM user_networks WHERE user_id = :user_id ORDER BY network_id")


def token_holder(session: Session, token: str, now: datetime) -> TokenHolder:
    """Who holds this token; raises TokenRefused when it is unknown, revoked or expired."""
    row = session.execute(_HOLDER, {"digest": _digest(token)}).one_or_none()
    if row is None or row.revoked:
        raise TokenRefused("token_invalid", "Session invalide : reconnectez-vous")
    if row.expires_at <= now:
        raise TokenRefused("token_expired", "Session expirée : reconnectez-vous")
    if not row.active:
        raise TokenRefused("user_inactive", "Compte désactivé")
    networks = tuple(session.execute(_NETWORKS, {"user_id": row.id}).scalars())
    return TokenHolder(row.id, row.username, row.role, row.display_name, networks, row.rpps)


def revoke_token(session: Session, token: str) -> None:
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == _digest(token)))
    if row is not None:
        row.revoked = True
