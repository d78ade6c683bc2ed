"""The change feed: `GET /changes` pages, and the `/events` WebSocket (backlog, then live).

A page's `last_seq` is the seq of its last event, or `after` itself when the page is empty. A reader
resumes with `after=<last_seq>`: seqs become visible in order (server/services/feed.py), so it never
misses nor repeats an event. Events carry ids only (no patient identity), so reading them is not
audited; refused attempts are, like everywhere else.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Query
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocket

from server.api.context import AppState, Caller, RoleGuard, origin_of
from server.errors import Forbidden, TokenRefused
from server.live import follow, hub_of
from server.live.follower import Refusal
from server.live.presence import presence_of
from server.security.access import admit
from server.security.principal import STAFF, Principal
from server.services import agent_presence
from server.services.agent_states import AGENT_ROLES
from server.services.feed import events_after, last_seq
from shared.domain import Role
from shared.schemas.dispatch import ChangesPage

log = logging.getLogger("centrale.live")

router = APIRouter(tags=["changes"])
# WebSocket routes are not APIRoutes: create_app mounts this router beside routers(), whose HTTP
# routes must each declare a RoleGuard. /events checks the token and the role itself (STAFF).
events_router = APIRouter(tags=["changes"])
Staff = Annotated[Caller, Depends(RoleGuard(*STAFF))]

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
MAX_SEQ = 2**63 - 1
# A long-lived WebSocket re-checks its token (expiry, logout, deactivation, role) at most this often.
ACCESS_RECHECK = timedelta(seconds=60)

CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_INTERNAL = 1011


@router.get("/changes", response_model=ChangesPage)
def read_changes(
    caller: Staff,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> ChangesPage:
    with caller.state.db.session() as session:
        events = events_after(session, after, limit)
        if caller.principal.role in AGENT_ROLES:  # a desktop polling (no WebSocket) is there too
            agent_presence.refresh(session, {caller.principal.id}, caller.state.clock.now())
    return ChangesPage(events=events, last_seq=events[-1].seq if events else after)


@router.get("/changes/head", response_model=ChangesPage)
def read_head(caller: Staff) -> ChangesPage:
    """Where the feed stands now (no events): a reader that never followed it starts here, and
    reads the current state from the API, instead of replaying the whole history."""
    with caller.state.db.session() as session:
        return ChangesPage(events=[], last_seq=last_seq(session))


@events_router.websocket("/events")
async def follow_events(websocket: WebSocket) -> None:
    """`?after=<seq>` (default 0); token in `Authorization: Bearer …` or `?token=…`.

    Refusals close the socket after accepting it, so that the client can read the code and the
    French reason: 4400 bad parameter, 4401 missing/invalid/expired token, 4403 role not allowed.
    """
    state = websocket.app.state.centrale
    assert isinstance(state, AppState)
    await websocket.accept()
    after = _after(websocket.query_params.get("after"))
    if after is None:
        await websocket.close(CLOSE_BAD_REQUEST, "Paramètre after invalide : entier positif ou nul attendu")
        return
    token = ws_token(websocket)
    if token is None:
        await websocket.close(CLOSE_UNAUTHENTICATED, "Authentification requise")
        return
    access = Access(websocket, state, token)
    try:
        refusal = await access.check()
    except SQLAlchemyError:
        log.exception("token check failed for a WebSocket follower")
        refusal = (CLOSE_INTERNAL, "Erreur interne du serveur")
    if refusal is not None:
        await websocket.close(*refusal)
        return
    principal = access.principal
    if principal is None or principal.role not in AGENT_ROLES:
        await follow(websocket, hub_of(websocket.app), after, access.recheck)
        return
    # An operator's desktop: while this connection lasts, the hotline knows it is there.
    async with presence_of(websocket.app).holding(principal.id):
        await follow(websocket, hub_of(websocket.app), after, access.recheck)


def _after(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) > MAX_SEQ:
        return None
    return int(raw)


def ws_token(websocket: WebSocket) -> str | None:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return websocket.query_params.get("token", "").strip() or None


class Access:
    """The follower's token, checked at connection and again at most every ACCESS_RECHECK."""

    def __init__(
        self, websocket: WebSocket, state: AppState, token: str, roles: tuple[Role, ...] = STAFF
    ) -> None:
        self._websocket = websocket
        self._state = state
        self._token = token
        self._roles = roles
        self._checked_at: datetime | None = None
        self.principal: Principal | None = None

    async def check(self) -> Refusal | None:
        return await anyio.to_thread.run_sync(self._check)

    async def recheck(self) -> Refusal | None:
        """Cheap on most wake-ups; the server clock decides (so the test clock can expire tokens)."""
        checked = self._checked_at
        if checked is not None and self._state.clock.now() - checked < ACCESS_RECHECK:
            return None
        try:
            return await self.check()
        except SQLAlchemyError as exc:
            log.warning("token re-check failed, retrying at the next wake-up: %s", exc)
            return None

    def _check(self) -> Refusal | None:
        now = self._state.clock.now()
        origin = origin_of(self._websocket)
        try:
            principal = admit(self._state.db, self._token, self._roles, now, origin, websocket=True)
        except TokenRefused as refused:
            return CLOSE_UNAUTHENTICATED, refused.message
        except Forbidden as refused:
            return CLOSE_FORBIDDEN, refused.message
        self._checked_at = now
        self.principal = principal
        return None
