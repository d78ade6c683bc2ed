"""The platform team's review of registrations (« Inscriptions à valider »), and unblocking an
account the login throttle blocked. Admin role only (see docs/server.md « Enrolment » for why
not the network's supervisors); every action is audited, reading the document included.

Approval creates the account as the form asked: role professional, the password chosen at
enrolment, the practice placed at the commune's centre (server/geo/), radius 10 km, « Disponible
C&V », the network chosen by the reviewer — an existing one, the name the applicant typed created
as a new network, or none — and the identifier in the profile's `rpps` column with its kind.
The professional is told by SMS and e-mail (their username; the seeds: « vous recevrez vos
identifiant et mot de passe par SMS » — the password is the one they chose, never sent).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Conflict, Invalid, not_found
from server.geo.communes import commune_index
from server.models import (
    Network,
    ProfessionalProfile,
    Registration,
    RegistrationDocument,
    User,
)
from server.notify.outbound import queue_email, queue_sms
from server.security import login_limits
from server.services.accounts import network_by_name, networks_by_ids
from server.services.acting import Acting
from server.services.documents import EXTENSIONS
from shared.domain import PROFESSIONS, Availability, Role
from shared.schemas.registrations import (
    STATUS_LABELS,
    Approval,
    DirectoryRecord,
    Flag,
    RegistrationOut,
    Rejection,
    Unblocked,
)
from shared.validation import name_compact_key

DEFAULT_RADIUS_KM = 10.0
LIST_LIMIT = 500


def registration_out(registration: Registration, username: str | None = None) -> RegistrationOut:
    return RegistrationOut(
        id=registration.id,
        status=registration.status,
        status_label=STATUS_LABELS[registration.status],
        identifier_kind=registration.identifier_kind,
        identifier=registration.identifier,
        last_name=registration.last_name,
        first_name=registration.first_name,
        profession_code=registration.profession_code,
        profession=PROFESSIONS.get(registration.profession_code, registration.profession_code),
        phone=registration.phone,
        email=registration.email,
        commune_insee=registration.commune_insee,
        commune_name=registration.commune_name,
        postal_code=registration.postal_code,
        address_line=registration.address_line,
        network_name=registration.network_name,
        network_id=registration.network_id,
        flags=[Flag(**f) for f in registration.flags],
        directory=DirectoryRecord(**registration.directory) if registration.directory else None,
        document_content_type=registration.document_content_type,
        document_size=registration.document_size,
        phone_verified_at=registration.phone_verified_at,
        email_verified_at=registration.email_verified_at,
        created_at=registration.created_at,
        reviewed_by=registration.reviewed_by,
        reviewed_at=registration.reviewed_at,
        reject_reason=registration.reject_reason,
        user_id=registration.user_id,
        username=username,
    )


def _usernames(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
    return {row.id: row.username for row in rows}


def list_registrations(acting: Acting, status: str | None) -> list[RegistrationOut]:
    """Oldest first (the queue's order); all statuses when `status` is None."""
    with acting.transaction("registration_list") as tx:
        query = select(Registration).order_by(Registration.created_at, Registration.id).limit(LIST_LIMIT)
        if status is not None:
            query = query.where(Registration.status == status)
        rows = list(tx.session.scalars(query))
        names = _usernames(tx.session, {r.user_id for r in rows if r.user_id is not None})
        acting.audit(tx.session, "registration_list", status_filter=status, count=len(rows))
        return [registration_out(r, names.get(r.user_id or 0)) for r in rows]


def _get(session: Session, registration_id: int, *, lock: bool = False) -> Registration:
    registration = session.get(Registration, registration_id, with_for_update=lock)
    if registration is None:
        raise not_found("Inscription")
    return registration


def read_registration(acting: Acting, registration_id: int) -> RegistrationOut:
    with acting.transaction("registration_read", registration_id=registration_id) as tx:
        registration = _get(tx.session, registration_id)
        acting.audit(tx.session, "registration_read", registration_id=registration_id)
        names = _usernames(tx.session, {registration.user_id} if registration.user_id else set())
        return registration_out(registration, names.get(registration.user_id or 0))


@dataclass(frozen=True)
class SupportingDocument:
    filename: str
    content_type: str
    data: bytes


def read_document(acting: Acting, registration_id: int) -> SupportingDocument:
    """The pièce justificative, for the reviewer's eyes only; each read audited."""
    with acting.transaction("registration_document_read", registration_id=registration_id) as tx:
        registration = _get(tx.session, registration_id)
        blob = tx.session.get(RegistrationDocument, registration_id)
        if blob is None or registration.document_content_type is None:
            raise not_found("Pièce justificative")
        acting.audit(tx.session, "registration_document_read", registration_id=registration_id)
        extension = EXTENSIONS.get(registration.document_content_type, "")
        return SupportingDocument(
            f"justificatif-inscription-{registration_id}{extension}",
            registration.document_content_type,
            bytes(blob.data),
        )


def _username_for(session: Session, registration: Registration, wanted: str | None) -> str:
    if wanted is not None:
        if session.scalar(select(User.id).where(User.username == wanted)) is not None:
            raise Conflict("username_taken", f"L'identifiant « {wanted} » est déjà pris")
        return wanted
    plain = unicodedata.normalize("NFKD", f"{registration.first_name}.{registration.last_name}")
    base = re.sub(r"[^a-z0-9.]+", "", plain.encode("ascii", "ignore").decode().lower()).strip(".")[:56]
    base = base if len(base) >= 3 else f"pro.{registration.id}"
    taken = set(session.scalars(select(User.username).where(User.username.like(f"{base}%"))))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _network_of(
    session: Session, acting: Acting, registration: Registration, body: Approval
) -> list[Network]:
    if body.network_id is not None:
        return networks_by_ids(session, [body.network_id])
    if body.create_network:
        if not registration.network_name:
            raise Invalid("network_name_missing", "L'inscription ne nomme aucun réseau à créer")
        existing = network_by_name(session, registration.network_name)
        if existing is not None:
            return [existing]
        network = Network(name=registration.network_name, created_at=acting.now)
        session.add(network)
        session.flush()
        acting.audit(session, "network_create", network_id=network.id, registration_id=registration.id)
        return [network]
    return []


def _tell(
    session: Session, acting: Acting, registration: Registration, what: str, text: str, user_id: int | None
) -> None:
    queue_sms(
        session,
        to=registration.phone,
        text=text,
        purpose=f"registration_{what}",
        dedup_key=f"registration:{registration.id}:{what}:sms",
        now=acting.now,
        user_id=user_id,
    )
    queue_email(
        session,
        to=registration.email,
        subject="Centrale : votre inscription",
        text=f"Bonjour {registration.first_name} {registration.last_name},\n\n{text}",
        purpose=f"registration_{what}",
        dedup_key=f"registration:{registration.id}:{what}:email",
        now=acting.now,
        user_id=user_id,
    )


def approve(acting: Acting, registration_id: int, body: Approval, login_url: str) -> RegistrationOut:
    with acting.transaction("registration_approve", registration_id=registration_id) as tx:
        session = tx.session
        registration = _get(session, registration_id, lock=True)
        if registration.status != "to_review":
            raise Conflict(
                "registration_not_reviewable",
                f"Inscription « {STATUS_LABELS[registration.status]} » : seule une inscription à valider "
                "peut être validée",
            )
        taken = session.scalar(
            select(ProfessionalProfile.user_id).where(ProfessionalProfile.rpps == registration.identifier)
        )
        if taken is not None:
            raise Conflict(
                "identifier_taken", "Ce numéro a déjà un compte : refusez l'inscription en donnant le motif"
            )
        place = commune_index().place(registration.commune_insee)
        if place is None:
            raise Invalid("position_unknown", "Commune sans position connue : le cabinet ne peut être placé")
        username = _username_for(session, registration, body.username)
        user = User(
            username=username,
            password_hash=registration.password_hash,
            role=Role.PROFESSIONAL.value,
            display_name=f"{registration.last_name.upper()} {registration.first_name}",
            phone=registration.phone,
            email=registration.email,
            active=True,
            created_at=acting.now,
            networks=_network_of(session, acting, registration, body),
        )
        profile = ProfessionalProfile(
            user=user,
            rpps=registration.identifier,
            identifier_kind=registration.identifier_kind,
            last_name=registration.last_name,
            first_name=registration.first_name,
            last_name_key=name_compact_key(registration.last_name),
            first_name_key=name_compact_key(registration.first_name),
            profession_code=registration.profession_code,
            phone=registration.phone,
            commune_insee=registration.commune_insee,
            commune_name=registration.commune_name,
            postal_code=registration.postal_code,
            latitude=place[0],
            longitude=place[1],
            radius_km=DEFAULT_RADIUS_KM,
            availability=Availability.BOTH.value,
            timezone="Europe/Paris",
            notification_windows=[],
            channels={},
        )
        session.add_all([user, profile])
        session.flush()
        registration.status = "approved"
        registration.reviewed_by = acting.principal.id
        registration.reviewed_at = acting.now
        registration.user_id = user.id
        registration.network_id = user.networks[0].id if user.networks else registration.network_id
        acting.audit(
            session, "registration_approve", registration_id=registration.id, created_user_id=user.id
        )
        _tell(
            session,
            acting,
            registration,
            "approved",
            f"Centrale : votre inscription est validée. Identifiant : {username} ; mot de passe : celui "
            f"choisi à l'inscription. Connexion : {login_url}",
            user.id,
        )
        return registration_out(registration, username)


def reject(acting: Acting, registration_id: int, body: Rejection) -> RegistrationOut:
    with acting.transaction("registration_reject", registration_id=registration_id) as tx:
        registration = _get(tx.session, registration_id, lock=True)
        if registration.status in ("approved", "rejected"):
            raise Conflict(
                "registration_not_reviewable",
                f"Inscription déjà {STATUS_LABELS[registration.status].lower()}",
            )
        registration.status = "rejected"
        registration.reviewed_by = acting.principal.id
        registration.reviewed_at = acting.now
        registration.reject_reason = body.reason
        acting.audit(tx.session, "registration_reject", registration_id=registration.id, reason=body.reason)
        _tell(
            tx.session,
            acting,
            registration,
            "rejected",
            f"Centrale : votre inscription n'a pas été validée. Motif : {body.reason}",
            None,
        )
        return registration_out(registration)


def unblock(acting: Acting, user_id: int) -> Unblocked:
    """Lift the login throttle's block on a user (« Mon compte est bloqué » of the FAQ)."""
    with acting.transaction("login_unblock", target_user_id=user_id) as tx:
        user = tx.session.get(User, user_id)
        if user is None:
            raise not_found("Utilisateur")
        was_blocked = login_limits.lift_blocks(tx.session, user.username, acting.now)
        acting.audit(tx.session, "login_unblock", target_user_id=user.id, was_blocked=was_blocked)
        return Unblocked(user_id=user.id, username=user.username, was_blocked=was_blocked)
