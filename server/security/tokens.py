"""Opaque bearer tokens: random, stored hashed, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from server.models import AuthToken, User


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


class TokenProblem(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def user_for_token(session: Session, token: str, now: datetime) -> User:
    # Every request asks this: the token, its user, networks and profile in one query.
    found = (
        session.execute(
            select(AuthToken, User)
            .join(User, User.id == AuthToken.user_id)
            .where(AuthToken.token_hash == _digest(token))
            .options(joinedload(User.networks), joinedload(User.professional))
        )
        .unique()
        .one_or_none()
    )
    row, user = found if found is not None else (None, None)
    if row is None or row.revoked:
        raise TokenProblem("token_invalid", "Session invalide : reconnectez-vous")
    if row.expires_at <= now:
        raise TokenProblem("token_expired", "Session expirée : reconnectez-vous")
    if user is None or not user.active:
        raise TokenProblem("user_inactive", "Compte désactivé")
    return user


def revoke_token(session: Session, token: str) -> None:
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == _digest(token)))
    if row is not None:
        row.revoked = True
