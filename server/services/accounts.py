"""Users, networks and responder accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Conflict, Invalid, not_found
from server.geo.placing import fill_from_commune, moved_commune
from server.models import Network, ProfessionalProfile, User
from server.notify.webhook_signing import new_secret
from server.security.passwords import hash_new_password, personal_words
from server.services import practices
from server.services.account_sessions import end_sessions
from shared.domain import PROFESSIONS, Availability, Role
from shared.schemas.admin import (
    NetworkCreate,
    NetworkOut,
    NotificationWindow,
    ProfessionalCreate,
    ProfessionalOut,
    ProfessionalPatch,
    UserCreate,
    UserPatch,
)
from shared.schemas.auth import UserOut
from shared.validation import name_compact_key


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        role=Role(user.role),
        display_name=user.display_name,
        network_ids=user.network_ids,
        active=user.active,
    )


def signed_in_out(session: Session, user: User) -> UserOut:
    """The logged-in user as login and « /auth/me » answer it: a secretary's practice named."""
    out = user_out(user)
    if user.role == Role.SECRETARY.value:
        out.practice = practices.practice_names(session, user.id)
    return out


def networks_by_ids(session: Session, ids: list[int]) -> list[Network]:
    wanted = sorted(set(ids))
    found = list(session.scalars(select(Network).where(Network.id.in_(wanted)))) if wanted else []
    missing = sorted(set(wanted) - {n.id for n in found})
    if missing:
        raise Invalid("network_unknown", f"Réseau inconnu : {', '.join(map(str, missing))}")
    return found


def network_by_name(session: Session, name: str) -> Network | None:
    # Compared in Python: SQLite's lower() only folds ASCII (« Réseau É » vs « réseau é »).
    wanted = " ".join(name.split()).casefold()
    return next(
        (n for n in session.scalars(select(Network)) if " ".join(n.name.split()).casefold() == wanted), None
    )


def create_network(session: Session, body: NetworkCreate, now: datetime) -> NetworkOut:
    if network_by_name(session, body.name) is not None:
        raise Conflict("network_exists", f"Le réseau « {body.name} » existe déjà")
    network = Network(name=body.name, created_at=now)
    session.add(network)
    session.flush()
    return NetworkOut(id=network.id, name=network.name)


def _check_username_free(session: Session, username: str) -> None:
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("username_taken", f"L'identifiant « {username} » est déjà pris")


def create_user(
    session: Session, body: UserCreate, now: datetime, *, password_hash: str | None = None
) -> User:
    """A staff account. `password_hash`: a hash computed by the caller, who answers for the password
    (the published demo logins); otherwise the password must pass the rule of every new password."""
    if body.role == Role.PROFESSIONAL:
        raise Invalid("use_professional_route", "Un professionnel se crée par /api/v1/admin/professionals")
    _check_username_free(session, body.username)
    user = User(
        username=body.username,
        password_hash=password_hash or _initial_password_hash(body),
        role=body.role.value,
        display_name=body.display_name,
        phone=body.phone,
        email=body.email,
        active=True,
        created_at=now,
        networks=networks_by_ids(session, body.network_ids),
    )
    session.add(user)
    session.flush()
    return user


# Not an argon2 hash: server/security/passwords.verify_password answers False for it whatever the
# password, so the account cannot log in until its user chooses one (admin_password_reset.py).
NO_USABLE_PASSWORD = "!password-to-choose"  # noqa: S105 - the opposite of a password


def _initial_password_hash(body: UserCreate) -> str:
    if body.password is None:  # the user chooses it with a one-time link (admin_password_reset.py)
        return NO_USABLE_PASSWORD
    return hash_new_password(body.password, personal_words(body.username, body.display_name))


def patch_user(session: Session, user_id: int, body: UserPatch, now: datetime | None = None) -> User:
    """`now` is needed with a new password (which ends every session of the account)."""
    user = session.get(User, user_id)
    if user is None:
        raise not_found("Utilisateur")
    if body.display_name is not None:
        user.display_name = body.display_name
    if body.password is not None:
        assert now is not None, "a new password needs the time its sessions end"
        set_password(session, user, body.password, now)
    if "phone" in body.model_fields_set:
        user.phone = body.phone
    if body.active is not None:
        user.active = body.active
    if body.network_ids is not None:
        user.networks = networks_by_ids(session, body.network_ids)
    return user


def set_password(session: Session, user: User, password: str, now: datetime) -> None:
    """A new password chosen for `user` (by an admin): it must pass the rule, and every existing
    session of the account ends (server/services/account_sessions.py)."""
    user.password_hash = hash_new_password(
        password, personal_words(user.username, user.display_name, user.email)
    )
    end_sessions(session, user, now)


def create_professional(
    session: Session, body: ProfessionalCreate, now: datetime, *, password_hash: str | None = None
) -> ProfessionalProfile:
    """A responder account. `password_hash`: an argon2 hash of `body.password` already computed
    (bulk loads hash a shared password once; argon2 is slow on purpose)."""
    _check_username_free(session, body.username)
    if session.scalar(select(ProfessionalProfile.user_id).where(ProfessionalProfile.rpps == body.rpps)):
        raise Conflict("rpps_taken", f"Le RPPS {body.rpps} a déjà un compte")
    position = {"latitude": body.latitude, "longitude": body.longitude, "commune_insee": body.commune_insee}
    fill_from_commune(position)
    if position["latitude"] is None or position["longitude"] is None:
        raise Invalid("position_unknown", "Commune sans position connue : indiquez la position du cabinet")
    user = User(
        username=body.username,
        password_hash=password_hash
        or hash_new_password(body.password, personal_words(body.username, body.last_name, body.first_name)),
        role=Role.PROFESSIONAL.value,
        display_name=f"{body.last_name.upper()} {body.first_name}",
        phone=body.phone,
        active=True,
        created_at=now,
        networks=networks_by_ids(session, body.network_ids),
    )
    profile = ProfessionalProfile(
        user=user,
        rpps=body.rpps,
        last_name=body.last_name,
        first_name=body.first_name,
        last_name_key=name_compact_key(body.last_name),
        first_name_key=name_compact_key(body.first_name),
        profession_code=body.profession_code,
        specialty_code=body.specialty_code,
        phone=body.phone,
        commune_insee=body.commune_insee,
        commune_name=body.commune_name,
        postal_code=body.postal_code,
        latitude=position["latitude"],
        longitude=position["longitude"],
        radius_km=body.radius_km,
        availability=body.availability.value,
        timezone=body.timezone,
        notification_windows=[w.model_dump() for w in body.notification_windows],
        webhook_url=body.webhook_url,
        webhook_secret=new_secret() if body.webhook_url else None,
    )
    session.add_all([user, profile])
    session.flush()
    return profile


def patch_professional(session: Session, user_id: int, body: ProfessionalPatch) -> ProfessionalProfile:
    profile = session.get(ProfessionalProfile, user_id)
    if profile is None:
        raise not_found("Professionnel")
    changes = body.model_dump(exclude_unset=True)
    moved_commune(changes)
    if "network_ids" in changes:
        profile.user.networks = networks_by_ids(session, changes.pop("network_ids") or [])
    if "active" in changes:
        profile.user.active = bool(changes.pop("active"))
    if "availability" in changes and changes["availability"] is not None:
        changes["availability"] = Availability(changes["availability"]).value
    if "phone" in changes:
        profile.user.phone = changes["phone"]
    if "webhook_url" in changes and changes["webhook_url"] != profile.webhook_url:
        # A new address gets a new key (shown once to the administrator); no address, no key.
        profile.webhook_secret = new_secret() if changes["webhook_url"] else None
    for name, value in changes.items():
        if value is None and name not in ("phone", "unavailable_until", "webhook_url"):
            continue
        setattr(profile, name, value)
    return profile


def professional_out(profile: ProfessionalProfile) -> ProfessionalOut:
    return ProfessionalOut(
        user_id=profile.user_id,
        username=profile.user.username,
        active=profile.user.active,
        rpps=profile.rpps,
        last_name=profile.last_name,
        first_name=profile.first_name,
        profession_code=profile.profession_code,
        profession=PROFESSIONS[profile.profession_code],
        specialty_code=profile.specialty_code,
        phone=profile.phone,
        commune_insee=profile.commune_insee,
        commune_name=profile.commune_name,
        postal_code=profile.postal_code,
        latitude=profile.latitude,
        longitude=profile.longitude,
        radius_km=profile.radius_km,
        availability=Availability(profile.availability),
        unavailable_until=profile.unavailable_until,
        timezone=profile.timezone,
        network_ids=profile.user.network_ids,
        notification_windows=[NotificationWindow(**w) for w in profile.notification_windows],
        webhook_url=profile.webhook_url,
    )
