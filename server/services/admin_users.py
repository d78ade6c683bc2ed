"""The back office's users: search, create, edit (name, role, networks, phone), deactivate and
reactivate. Each change is audited with the account concerned and what changed — never a
password. An admin never sets a password: a reset or a creation without one sends the user a
one-time link to choose it (server/services/admin_password_reset.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from server.errors import Conflict, Invalid, not_found
from server.models import User, user_networks
from server.services import accounts, admin_password_reset
from server.services.acting import Acting
from shared.domain import Role
from shared.schemas.admin import UserCreate, UserCreated, UserPatch
from shared.schemas.auth import UserOut

SEARCH_LIMIT_MAX = 5000


def search_query(
    *,
    q: str | None = None,
    roles: list[Role] | None = None,
    active: bool | None = None,
    network_id: int | None = None,
) -> Select[User]:
    """Users by role, state, network, and a part of their username or displayed name."""
    query = select(User).order_by(User.username)
    if roles:
        query = query.where(User.role.in_([r.value for r in roles]))
    if active is not None:
        query = query.where(User.active.is_(active))
    if network_id is not None:
        members = select(user_networks.c.user_id).where(user_networks.c.network_id == network_id)
        query = query.where(User.id.in_(members))
    words = (q or "").split()
    for word in words:
        pattern = f"%{word.lower()}%"
        query = query.where(
            or_(func.lower(User.username).like(pattern), func.lower(User.display_name).like(pattern))
        )
    return query


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "role": user.role,
        "phone": user.phone,
        "network_ids": user.network_ids,
        "active": user.active,
    }


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise not_found("Utilisateur")
    return user


def _check_role_change(acting: Acting, user: User, role: Role) -> None:
    if Role.PROFESSIONAL in (role, Role(user.role)) and role.value != user.role:
        raise Invalid(
            "role_professional",
            "Un compte de professionnel ne change pas de rôle (et aucun compte ne le devient)",
        )
    if user.id == acting.principal.id and role is not Role.ADMIN:
        raise Conflict("self_lockout", "Vous ne pouvez pas retirer votre propre rôle d'administrateur")


def create(acting: Acting, body: UserCreate, public_url: str) -> UserCreated:
    """Without a password in `body`, the user gets a one-time link to choose it."""
    with acting.transaction("admin_user_create", username=body.username) as tx:
        user = accounts.create_user(tx.session, body, acting.now)
        link = None
        if body.password is None:
            link = admin_password_reset.issue_first_password(tx.session, acting, user, public_url)
        acting.audit(
            tx.session,
            "admin_user_create",
            status=201,
            target_user_id=user.id,
            target=user.username,
            role=user.role,
            display_name=user.display_name,
            network_ids=user.network_ids,
            password_source="admin" if link is None else f"link_{link.channel}",
            link_id=link.link_id if link else None,
        )
        return UserCreated(**accounts.user_out(user).model_dump(), password_link=link)


def update(acting: Acting, user_id: int, body: UserPatch) -> UserOut:
    """A change of the account; a deactivation or a new password has its own audit action."""
    with acting.transaction("admin_user_update", target_user_id=user_id) as tx:
        user = _user(tx.session, user_id)
        if body.active is False and user.id == acting.principal.id:
            raise Conflict("self_lockout", "Vous ne pouvez pas désactiver votre propre compte")
        if body.role is not None:
            _check_role_change(acting, user, body.role)
        if body.password is not None:
            raise Invalid(
                "password_not_settable",
                "Un administrateur ne choisit pas le mot de passe d'un utilisateur : utilisez "
                "« Réinitialiser le mot de passe » (l'utilisateur reçoit un lien pour le choisir)",
            )
        before = _snapshot(user)
        accounts.patch_user(tx.session, user_id, body.model_copy(update={"password": None}))
        if body.role is not None:
            user.role = body.role.value
        after = _snapshot(user)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k] and k != "active"}
        target = {"target_user_id": user.id, "target": user.username}
        if changes:
            acting.audit(tx.session, "admin_user_update", changes=changes, **target)
        if before["active"] != after["active"]:
            action = "admin_user_reactivate" if user.active else "admin_user_deactivate"
            acting.audit(tx.session, action, **target)
        return accounts.user_out(user)
