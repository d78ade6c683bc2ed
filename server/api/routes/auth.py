"""Login, logout and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from server.api.context import Caller, RoleGuard, app_state, bearer_token, client_of, origin_of
from server.errors import RateLimited, Unauthenticated
from server.models import User
from server.security import throttle
from server.security.audit import record_audit
from server.security.passwords import hash_password, needs_rehash, verify_password
from server.security.principal import EVERYONE
from server.security.tokens import issue_token, revoke_token
from server.services.accounts import user_out
from server.services.feed import last_seq
from shared.schemas.auth import LoginRequest, LoginResponse, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])


def _blocked(seconds: int) -> RateLimited:
    return RateLimited(
        "login_blocked", f"Trop d'essais infructueux : réessayez dans {seconds} s", retry_after=seconds
    )


@router.post("/login", response_model=LoginResponse)
def login(body: LoginRequest, request: Request) -> LoginResponse:
    state = app_state(request)
    username = body.username.strip().lower()
    now = state.clock.now()
    with state.db.session() as session:
        wait = throttle.seconds_blocked(session, username, now)
    if wait:
        raise _blocked(wait)
    blocked = 0
    with state.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        ok = verify_password(user.password_hash if user else None, body.password)
        if not ok or user is None or not user.active:
            blocked = throttle.record_failure(session, username, now)
            at, origin = state.clock.now(), origin_of(request)
            record_audit(session, at, origin, None, "login_failed", status=401, username=username)
        else:
            throttle.record_success(session, username)
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(body.password)
            ip, agent = client_of(request)
            token, expires_at = issue_token(
                session, user, now, state.settings.token_ttl_minutes, f"{ip or ''} {agent or ''}".strip()
            )
            return LoginResponse(
                access_token=token, expires_at=expires_at, user=user_out(user), feed_head=last_seq(session)
            )
    if blocked:
        raise _blocked(blocked)
    raise Unauthenticated("bad_credentials", "Identifiant ou mot de passe incorrect")


@router.post("/logout", status_code=204)
def logout(caller: Annotated[Caller, Depends(RoleGuard(*EVERYONE))]) -> Response:
    token = bearer_token(caller.request)
    if token is not None:
        with caller.state.db.session() as session:
            revoke_token(session, token)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
def me(caller: Annotated[Caller, Depends(RoleGuard(*EVERYONE))]) -> UserOut:
    with caller.state.db.session() as session:
        user = session.get(User, caller.principal.id)
        assert user is not None
        return user_out(user)
