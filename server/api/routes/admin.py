"""Administration of users, networks, responder accounts, and the read-only audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from server.api.context import Caller, RoleGuard
from server.errors import not_found
from server.models import AuditEntry, Network, ProfessionalProfile, User
from server.security.principal import EVERYONE
from server.services import accounts
from shared.domain import Role
from shared.schemas.admin import (
    NetworkCreate,
    NetworkOut,
    ProfessionalCreate,
    ProfessionalOut,
    ProfessionalPatch,
    UserCreate,
    UserPatch,
)
from shared.schemas.auth import UserOut
from shared.schemas.system import AuditEntryOut

router = APIRouter(prefix="/admin", tags=["admin"])
networks_router = APIRouter(tags=["networks"])
Admin = Annotated[Caller, Depends(RoleGuard(Role.ADMIN))]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, caller: Admin) -> UserOut:
    with caller.state.db.session() as session:
        return accounts.user_out(accounts.create_user(session, body, caller.state.clock.now()))


@router.get("/users", response_model=list[UserOut])
def list_users(caller: Admin, role: Role | None = None) -> list[UserOut]:
    with caller.state.db.session() as session:
        query = select(User).order_by(User.username)
        if role is not None:
            query = query.where(User.role == role.value)
        return [accounts.user_out(u) for u in session.scalars(query)]


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: int, caller: Admin) -> UserOut:
    with caller.state.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise not_found("Utilisateur")
        return accounts.user_out(user)


@router.patch("/users/{user_id}", response_model=UserOut)
def patch_user(user_id: int, body: UserPatch, caller: Admin) -> UserOut:
    with caller.state.db.session() as session:
        return accounts.user_out(accounts.patch_user(session, user_id, body))


@router.post("/networks", response_model=NetworkOut, status_code=201)
def create_network(body: NetworkCreate, caller: Admin) -> NetworkOut:
    with caller.state.db.session() as session:
        return accounts.create_network(session, body, caller.state.clock.now())


@networks_router.get("/networks", response_model=list[NetworkOut])
def list_networks(caller: Annotated[Caller, Depends(RoleGuard(*EVERYONE))]) -> list[NetworkOut]:
    with caller.state.db.session() as session:
        return [
            NetworkOut(id=n.id, name=n.name) for n in session.scalars(select(Network).order_by(Network.name))
        ]


@router.post("/professionals", response_model=ProfessionalOut, status_code=201)
def create_professional(body: ProfessionalCreate, caller: Admin) -> ProfessionalOut:
    with caller.state.db.session() as session:
        return accounts.professional_out(
            accounts.create_professional(session, body, caller.state.clock.now())
        )


@router.get("/professionals", response_model=list[ProfessionalOut])
def list_professionals(
    caller: Admin,
    profession: str | None = Query(default=None, max_length=2),
    limit: int = Query(default=200, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> list[ProfessionalOut]:
    with caller.state.db.session() as session:
        query = select(ProfessionalProfile).order_by(
            ProfessionalProfile.last_name_key, ProfessionalProfile.user_id
        )
        if profession:
            query = query.where(ProfessionalProfile.profession_code == profession)
        rows = session.scalars(query.limit(limit).offset(offset))
        return [accounts.professional_out(p) for p in rows]


@router.get("/professionals/{user_id}", response_model=ProfessionalOut)
def get_professional(user_id: int, caller: Admin) -> ProfessionalOut:
    with caller.state.db.session() as session:
        profile = session.get(ProfessionalProfile, user_id)
        if profile is None:
            raise not_found("Professionnel")
        return accounts.professional_out(profile)


@router.patch("/professionals/{user_id}", response_model=ProfessionalOut)
def patch_professional(user_id: int, body: ProfessionalPatch, caller: Admin) -> ProfessionalOut:
    with caller.state.db.session() as session:
        return accounts.professional_out(accounts.patch_professional(session, user_id, body))


@router.get("/audit", response_model=list[AuditEntryOut])
def read_audit(
    caller: Admin,
    patient_id: int | None = None,
    user_id: int | None = None,
    action: str | None = Query(default=None, max_length=40),
    after_id: int = Query(default=0, ge=0),
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[AuditEntryOut]:
    with caller.state.db.session() as session:
        query = select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id)
        if patient_id is not None:
            query = query.where(AuditEntry.patient_id == patient_id)
        if user_id is not None:
            query = query.where(AuditEntry.user_id == user_id)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return [
            AuditEntryOut.model_validate(e, from_attributes=True) for e in session.scalars(query.limit(limit))
        ]
