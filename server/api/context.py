"""What a route needs: the application's state, the authenticated caller, and the audit trail.

Who the caller is and what they may do is decided in server/security/ (any front end); this module
only reads it off the HTTP request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from server.clock import Clock, DueWork
from server.db import Database
from server.security.access import admit
from server.security.audit import Origin, record_audit, record_audits
from server.security.principal import Principal
from server.settings import Settings
from shared.domain import Role


@dataclass
class AppState:
    settings: Settings
    db: Database
    clock: Clock
    due_work: DueWork
    version: str


def app_state(request: Request) -> AppState:
    state = request.app.state.centrale
    assert isinstance(state, AppState)
    return state


def client_of(connection: HTTPConnection) -> tuple[str | None, str | None]:
    ip = connection.client.host if connection.client else None
    agent = connection.headers.get("x-centrale-client") or connection.headers.get("user-agent")
    return ip, (agent or None) and agent[:200]


def origin_of(connection: HTTPConnection) -> Origin:
    """The audit trail's view of a request or a WebSocket (whose handshake is a GET)."""
    ip, agent = client_of(connection)
    method = connection.scope.get("method", "GET")
    return Origin(method, connection.url.path[:300], ip, agent)


@dataclass(frozen=True)
class Caller:
    """A request with its principal: enough to answer and to audit."""

    request: Request
    principal: Principal
    state: AppState = field(repr=False)

    def audit(
        self,
        session: Session,
        action: str,
        *,
        patient_id: int | None = None,
        status: int = 200,
        **detail: Any,
    ) -> None:
        record_audit(
            session,
            self.state.clock.now(),
            origin_of(self.request),
            self.principal,
            action,
            patient_id=patient_id,
            status=status,
            **detail,
        )

    def audit_each(
        self, session: Session, action: str, entries: list[tuple[int | None, dict[str, Any]]]
    ) -> None:
        """One audit entry per (patient_id, detail), written in one statement (a page of the board)."""
        if entries:
            at, origin = self.state.clock.now(), origin_of(self.request)
            record_audits(session, at, origin, self.principal, action, entries)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class RoleGuard:
    """Dependency declaring which roles may call a route; everything else is 401/403 (audited)."""

    def __init__(self, *roles: Role) -> None:
        if not roles:
            raise ValueError("a route must name the roles it allows")
        self.roles = frozenset(roles)

    def __call__(self, request: Request) -> Caller:
        state = app_state(request)
        principal = admit(state.db, bearer_token(request), self.roles, state.clock.now(), origin_of(request))
        return Caller(request, principal, state)
