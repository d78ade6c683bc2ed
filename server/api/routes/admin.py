"""The back office (admin role): users, professionals, networks, the audit trail and its CSV export,
the home page's counts. Every change is audited by its use case (server/services/admin_*.py,
networks.py, audit_trail.py); a refused role is audited by the guard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy import select

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.errors import not_found
from server.models import Network, ProfessionalProfile, User
from server.security.principal import EVERYONE
from server.services import (
    accounts,
    admin_password_reset,
    admin_professionals,
    admin_user_list,
    admin_users,
    audit_trail,
    networks,
    practices,
)
from server.services.back_office_overview import overview
from server.services.visit import public_url
from shared.domain import Role
from shared.schemas.admin import (
    NetworkCreate,
    NetworkOut,
    PasswordLinkIssued,
    PracticeOut,
    PracticeUpdate,
    ProfessionalCreate,
    ProfessionalOut,
    ProfessionalPatch,
    UserCreate,
    UserCreated,
    UserPatch,
    WebhookSecretOut,
)
from shared.schemas.auth import UserOut
from shared.schemas.back_office import (
    AUDIT_PAGE_MAX,
    AdminUserOut,
    AuditFilter,
    BackOfficeOverview,
    NetworkRename,
    NetworkSummary,
)
from shared.schemas.common import TimeZoneName
from shared.schemas.professional import ProfileOut, ProfileUpdate
from shared.schemas.system import AuditEntryOut

router = APIRouter(prefix="/admin", tags=["admin"])
networks_router = APIRouter(tags=["networks"])
Admin = Annotated[Caller, Depends(RoleGuard(Role.ADMIN))]
Zone = Annotated[TimeZoneName, Query(description="The zone of `since` and `until` (days)")]


# ---- users --------------------------------------------------------------------------------------


@router.post("/users", response_model=UserCreated, status_code=201, response_model_exclude_none=True)
def create_user(body: UserCreate, caller: Admin) -> UserCreated:
    """Without `password`, `password_link` is the user's one-time link to choose it."""
    return admin_users.create(acting(caller), body, public_url(str(caller.request.base_url)))


@router.get("/users", response_model=list[AdminUserOut])
def list_users(
    caller: Admin,
    role: Annotated[list[Role] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the username or name")] = None,
    active: bool | None = None,
    network_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=admin_users.SEARCH_LIMIT_MAX)] = admin_users.SEARCH_LIMIT_MAX,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AdminUserOut]:
    """Each with `blocked_until` when the login throttle blocks its username now."""
    query = admin_users.search_query(q=q, roles=role, active=active, network_id=network_id)
    with caller.state.db.session() as session:
        return admin_user_list.page(session, query, caller.state.clock.now(), limit, offset)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: int, caller: Admin) -> UserOut:
    with caller.state.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise not_found("Utilisateur")
        return accounts.user_out(user)


@router.patch("/users/{user_id}", response_model=UserOut)
def patch_user(user_id: int, body: UserPatch, caller: Admin) -> UserOut:
    return admin_users.update(acting(caller), user_id, body)


@router.post("/users/{user_id}/password-reset", response_model=PasswordLinkIssued)
def reset_user_password(user_id: int, caller: Admin) -> PasswordLinkIssued:
    """The password stops working and every session of the user ends; the user gets a one-time
    link to choose a new one (never the admin: see server/services/admin_password_reset.py)."""
    return admin_password_reset.reset(acting(caller), user_id, public_url(str(caller.request.base_url)))


@router.get("/users/{user_id}/practice", response_model=PracticeOut)
def get_practice(user_id: int, caller: Admin) -> PracticeOut:
    return practices.read(acting(caller), user_id)


@router.put("/users/{user_id}/practice", response_model=PracticeOut)
def put_practice(user_id: int, body: PracticeUpdate, caller: Admin) -> PracticeOut:
    """The professionals a secretary works for: she sees only their patients."""
    return practices.replace(acting(caller), user_id, body.professional_ids)


# ---- networks -----------------------------------------------------------------------------------


@router.get("/networks", response_model=list[NetworkSummary])
def list_networks_with_counts(caller: Admin) -> list[NetworkSummary]:
    with caller.state.db.session() as session:
        return networks.summaries(session)


@router.post("/networks", response_model=NetworkOut, status_code=201)
def create_network(body: NetworkCreate, caller: Admin) -> NetworkOut:
    return networks.create(acting(caller), body)


@router.patch("/networks/{network_id}", response_model=NetworkOut)
def rename_network(network_id: int, body: NetworkRename, caller: Admin) -> NetworkOut:
    return networks.rename(acting(caller), network_id, body)


@networks_router.get("/networks", response_model=list[NetworkOut])
def list_networks(caller: Annotated[Caller, Depends(RoleGuard(*EVERYONE))]) -> list[NetworkOut]:
    with caller.state.db.session() as session:
        return [
            NetworkOut(id=n.id, name=n.name) for n in session.scalars(select(Network).order_by(Network.name))
        ]


# ---- professionals ------------------------------------------------------------------------------


@router.post("/professionals", response_model=ProfessionalOut, status_code=201)
def create_professional(body: ProfessionalCreate, caller: Admin) -> ProfessionalOut:
    return admin_professionals.create(acting(caller), body, caller.state.settings.webhooks)


@router.get("/professionals", response_model=list[ProfessionalOut])
def list_professionals(
    caller: Admin,
    profession: str | None = Query(default=None, max_length=2),
    q: Annotated[str | None, Query(max_length=100, description="Prefixes of the names")] = None,
    rpps: Annotated[str | None, Query(max_length=11, pattern=r"^\d*$")] = None,
    commune: Annotated[str | None, Query(max_length=100, description="INSEE code or name")] = None,
    network_id: int | None = None,
    active: bool | None = None,
    limit: int = Query(default=200, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> list[ProfessionalOut]:
    query = admin_professionals.search_query(
        q=q, rpps=rpps, profession=profession, commune=commune, network_id=network_id, active=active
    )
    with caller.state.db.session() as session:
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
    return admin_professionals.update(acting(caller), user_id, body, caller.state.settings.webhooks)


@router.post("/professionals/{user_id}/webhook-secret", response_model=WebhookSecretOut)
def rotate_webhook_secret(user_id: int, caller: Admin) -> WebhookSecretOut:
    """A new signing key for the professional's webhook, shown this once."""
    return admin_professionals.rotate_webhook_secret(acting(caller), user_id)


@router.get("/professionals/{user_id}/profile", response_model=ProfileOut)
def get_professional_profile(user_id: int, caller: Admin) -> ProfileOut:
    return admin_professionals.read_profile(acting(caller), user_id)


@router.put("/professionals/{user_id}/profile", response_model=ProfileOut)
def put_professional_profile(user_id: int, body: ProfileUpdate, caller: Admin) -> ProfileOut:
    return admin_professionals.update_profile(acting(caller), user_id, body)


# ---- audit trail --------------------------------------------------------------------------------


def audit_filter(
    user_id: Annotated[int | None, Query(description="The actor")] = None,
    username: Annotated[str | None, Query(max_length=64, description="The actor's username")] = None,
    patient_id: int | None = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[date | None, Query(description="First day (in `tz`)")] = None,
    until: Annotated[date | None, Query(description="Last day, included (in `tz`)")] = None,
) -> AuditFilter:
    try:
        return AuditFilter(
            user_id=user_id, username=username, patient_id=patient_id, action=action, since=since, until=until
        )
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors()) from invalid


Filters = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("/audit", response_model=list[AuditEntryOut])
def read_audit(
    caller: Admin,
    wanted: Filters,
    tz: Zone = "Europe/Paris",
    after_id: int = Query(default=0, ge=0),
    before_id: Annotated[int | None, Query(ge=1)] = None,
    order: Literal["asc", "desc"] = "asc",
    limit: int = Query(default=200, ge=1, le=AUDIT_PAGE_MAX),
) -> list[AuditEntryOut]:
    """Oldest first after `after_id` (`order=asc`), or newest first before `before_id` (`desc`)."""
    page = audit_trail.AuditPage(after_id, before_id, order == "desc", limit)
    return audit_trail.read(acting(caller), wanted, page, tz)


@router.get("/audit.csv", response_class=StreamingResponse)
def export_audit(caller: Admin, wanted: Filters, tz: Zone = "Europe/Paris") -> StreamingResponse:
    """The same filters as `/admin/audit`, every entry, oldest first: `;`-separated UTF-8 with a BOM."""
    doing = acting(caller)
    audit_trail.record_export(doing, wanted)
    lines: Iterator[str] = audit_trail.csv_lines(caller.state.db, wanted, tz)
    name = audit_trail.csv_name(wanted, doing.now, tz)
    return StreamingResponse(
        (line.encode("utf-8") for line in lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---- home ---------------------------------------------------------------------------------------


@router.get("/overview", response_model=BackOfficeOverview)
def back_office_overview(caller: Admin) -> BackOfficeOverview:
    with caller.state.db.session() as session:
        return overview(session, caller.state.clock.now())
