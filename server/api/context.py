"""What a route needs: the application's state, the authenticated caller, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from sqlalchemy import insert
from sqlalchemy.orm import Session

from server.clock import Clock, DueWork
from server.db import Database
from server.models import AuditEntry, User
from server.security.tokens import TokenHolder, TokenProblem, token_holder
from server.settings import Settings
from shared.domain import Role

from .errors import ApiError


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


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, detached from any database session."""

    id: int
    username: str
    role: Role
    display_name: str
    network_ids: tuple[int, ...]
    rpps: str | None = None

    @classmethod
    def of(cls, user: User) -> Principal:
        rpps = user.professional.rpps if user.professional is not None else None
        return cls(user.id, user.username, Role(user.role), user.display_name, tuple(user.network_ids), rpps)

    @classmethod
    def of_holder(cls, holder: TokenHolder) -> Principal:
        return cls(
            holder.user_id,
            holder.username,
            Role(holder.role),
            holder.display_name,
            holder.network_ids,
            holder.rpps,
        )


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
        record_audit(session, self.request, self.state, self.principal, action, patient_id, status, detail)

    def audit_each(
        self, session: Session, action: str, entries: list[tuple[int | None, dict[str, Any]]]
    ) -> None:
        """One audit entry per (patient_id, detail), written in one statement (a page of the board)."""
        if entries:
            record_audits(session, self.request, self.state, self.principal, action, entries)


def client_of(request: Request) -> tuple[str | None, str | None]:
    ip = request.client.host if request.client else None
    agent = request.headers.get("x-centrale-client") or request.headers.get("user-agent")
    return ip, (agent or None) and agent[:200]


def record_audit(
    session: Session,
    request: Request,
    state: AppState,
    principal: Principal | None,
    action: str,
    patient_id: int | None,
    status: int,
    detail: dict[str, Any],
) -> None:
    record_audits(session, request, state, principal, action, [(patient_id, detail)], status)


def record_audits(
    session: Session,
    request: Request,
    state: AppState,
    principal: Principal | None,
    action: str,
    entries: list[tuple[int | None, dict[str, Any]]],
    status: int = 200,
) -> None:
    """One audit entry per (patient_id, detail) of one request, in one INSERT."""
    ip, agent = client_of(request)
    at = state.clock.now()
    rows = [
        {
            "at": at,
            "user_id": principal.id if principal else None,
            "username": principal.username if principal else detail.pop("username", None),
            "role": principal.role.value if principal else None,
            "action": action,
            "patient_id": patient_id,
            "method": request.method,
            "path": request.url.path[:300],
            "status": status,
            "client_ip": ip,
            "client_agent": agent,
            "detail": detail,
        }
        for patient_id, detail in entries
    ]
    session.execute(insert(AuditEntry), rows)


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
        token = bearer_token(request)
        if token is None:
            raise ApiError(
                401, "not_authenticated", "Authentification requise", headers={"WWW-Authenticate": "Bearer"}
            )
        with state.db.session() as session:
            try:
                principal = Principal.of_holder(token_holder(session, token, state.clock.now()))
            except TokenProblem as problem:
                raise ApiError(
                    401, problem.code, problem.message, headers={"WWW-Authenticate": "Bearer"}
                ) from problem
            if principal.role not in self.roles:
                allowed = sorted(r.value for r in self.roles)
                record_audit(session, request, state, principal, "forbidden", None, 403, {"allowed": allowed})
        if principal.role not in self.roles:
            raise ApiError(403, "forbidden", "Accès refusé pour votre rôle")
        return Caller(request, principal, state)


STAFF = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR)
EVERYONE = tuple(Role)
