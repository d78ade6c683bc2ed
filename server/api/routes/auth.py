"""Login, logout and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from server.api.context import Caller, RoleGuard, app_state, bearer_token, client_of, origin_of
from server.models import User
from server.security.principal import EVERYONE
from server.security.tokens import issue_token, revoke_token
from server.services import agent_states
from server.services.accounts import signed_in_out
from server.services.authentication import log_in
from server.services.feed import last_seq
from shared.schemas.auth import LoginRequest, LoginResponse, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=LoginResponse)
def login(body: LoginRequest, request: Request) -> LoginResponse:
    """The rules (limits, the hash outside any transaction): server/services/authentication.py."""
    state = app_state(request)
    now = state.clock.now()
    ip, agent = client_of(request)

    def open_session(session: Session, user: User) -> LoginResponse:
        client = f"{ip or ''} {agent or ''}".strip()
        token, expires_at = issue_token(session, user, now, state.settings.token_ttl_minutes, client)
        return LoginResponse(
            access_token=token,
            expires_at=expires_at,
            user=signed_in_out(session, user),
            feed_head=last_seq(session),
        )

    origin = origin_of(request)
    return log_in(state.db, state.settings.login, now, body.username, body.password, origin, open_session)


@router.post("/logout", status_code=204)
def logout(caller: Annotated[Caller, Depends(RoleGuard(*EVERYONE))]) -> Response:
    token = bearer_token(caller.request)
    if token is not None:
        with caller.state.db.session() as session:
            revoke_token(session, token)
            # An operator who leaves is no longer rung (the desktop says Hors ligne first; this is
            # the backstop).
            agent_states.signed_out(session, caller.principal.id, caller.state.clock.now())
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
def me(caller: Annotated[Caller, Depends(RoleGuard(*EVERYONE))]) -> UserOut:
    with caller.state.db.session() as session:
        user = session.get(User, caller.principal.id)
        assert user is not None
        return signed_in_out(session, user)
