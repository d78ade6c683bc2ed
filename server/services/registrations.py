"""« S'enregistrer »: the public form, the phone's SMS code, the e-mail's signed link, the
supporting document; a registration goes from `unverified` to `to_review` once the phone and the
e-mail are verified and the document is in (the team then approves or rejects it:
server/services/registration_review.py).

The applicant's client holds a random token (only its SHA-256 is stored) that proves the next
steps are theirs: the SMS code, a new code, the document. The answer to the form is the same
whether or not the identifier or the e-mail already has an account (server/services/
registration_checks.py flags it for the reviewer and the holder is told by e-mail), and takes the
same path (one argon2 hash, the same messages queued).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import Invalid, NotFound
from server.geo.communes import commune_index
from server.models import Registration, RegistrationDocument, VerificationCode
from server.notify.outbound import queue_email, queue_sms
from server.security.passwords import check_new_password, hash_password, personal_words
from server.security.signing import BadSignature, Expired, digest, sign, signing_key, unsign
from server.services.documents import check_content
from server.services.enrolment_limits import DAY, enrolment_limits, refuse_signup_flood, too_many
from server.services.one_time_codes import issue_code, try_code
from server.services.registration_checks import Assessment, assess
from server.services.visit import Visit
from shared.schemas.registrations import (
    STATUS_LABELS,
    RegistrationCreate,
    RegistrationCreated,
    RegistrationProgress,
)

EMAIL_LINK_TTL = timedelta(hours=48)
PHONE_PURPOSE = "registration_phone"
EMAIL_PURPOSE = "registration_email"
EMAIL_PAGE = "/pro/inscription/email"
NOT_FOUND = "Inscription introuvable ou lien de suivi expiré : recommencez l'inscription"


def progress(registration: Registration) -> RegistrationProgress:
    return RegistrationProgress(
        id=registration.id,
        status=registration.status,
        status_label=STATUS_LABELS[registration.status],
        phone_verified=registration.phone_verified_at is not None,
        email_verified=registration.email_verified_at is not None,
        document_received=registration.document_sha256 is not None,
    )


def _maybe_ready(registration: Registration) -> None:
    """unverified → to_review once the phone, the e-mail and the document are there."""
    complete = (
        registration.phone_verified_at is not None
        and registration.email_verified_at is not None
        and registration.document_sha256 is not None
    )
    if registration.status == "unverified" and complete:
        registration.status = "to_review"


def _store_document(session: Session, registration: Registration, data: bytes) -> None:
    content_type = check_content(data)
    registration.document_content_type = content_type
    registration.document_size = len(data)
    registration.document_sha256 = hashlib.sha256(data).hexdigest()
    existing = session.get(RegistrationDocument, registration.id)
    if existing is None:
        session.add(RegistrationDocument(registration_id=registration.id, data=data))
    else:
        existing.data = data


def _send_code(session: Session, key: bytes, registration: Registration, now: datetime) -> None:
    sent = session.scalar(
        select(func.count())
        .select_from(VerificationCode)
        .where(VerificationCode.registration_id == registration.id)
    )
    for old in session.scalars(
        select(VerificationCode).where(
            VerificationCode.registration_id == registration.id, VerificationCode.used_at.is_(None)
        )
    ):
        old.used_at = now  # superseded by the new code
    _row, code = issue_code(session, key, purpose=PHONE_PURPOSE, now=now, registration_id=registration.id)
    queue_sms(
        session,
        to=registration.phone,
        text=f"Centrale : votre code de vérification est {code}. Il est valable 10 minutes. "
        "Ne le communiquez à personne.",
        purpose="registration_phone_code",
        dedup_key=f"registration:{registration.id}:phone-code:{int(sent or 0) + 1}",
        now=now,
    )


def email_link(key: bytes, registration: Registration, visit: Visit) -> str:
    token = sign(key, EMAIL_PURPOSE, {"r": registration.id}, visit.now + EMAIL_LINK_TTL)
    return f"{visit.public_url}{EMAIL_PAGE}?jeton={token}"


def _send_messages(
    session: Session, key: bytes, registration: Registration, found: Assessment, visit: Visit
) -> None:
    _send_code(session, key, registration, visit.now)
    hello = f"Bonjour {registration.first_name} {registration.last_name},\n\n"
    ignore = "\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message."
    if found.email_holder is None:
        text = (
            f"{hello}Pour confirmer votre adresse e-mail et poursuivre votre inscription sur Centrale, "
            f"ouvrez ce lien (valable 48 heures) :\n{email_link(key, registration, visit)}{ignore}"
        )
        queue_email(
            session,
            to=registration.email,
            subject="Centrale : confirmez votre adresse e-mail",
            text=text,
            purpose="registration_email_link",
            dedup_key=f"registration:{registration.id}:email-link",
            now=visit.now,
        )
    else:
        text = (
            f"{hello}Une inscription vient d'être demandée avec cette adresse e-mail, qui est déjà celle "
            f"de votre compte Centrale (identifiant : {found.email_holder.username}). Mot de passe "
            f"oublié : {visit.public_url}/pro/mot-de-passe-oublie{ignore} Aucun compte n'est créé "
            "sans la validation de l'équipe de la plateforme."
        )
        queue_email(
            session,
            to=registration.email,
            subject="Centrale : inscription demandée avec votre adresse",
            text=text,
            purpose="registration_duplicate",
            dedup_key=f"registration:{registration.id}:email-holder",
            now=visit.now,
            user_id=found.email_holder.id,
        )
    holder = found.identifier_holder
    if holder is not None and holder.email and holder.email != registration.email:
        kind = "RPPS" if registration.identifier_kind == "rpps" else "ADELI"
        queue_email(
            session,
            to=holder.email,
            subject="Centrale : inscription demandée avec votre numéro",
            text=(
                f"Bonjour,\n\nUne inscription vient d'être demandée sur Centrale avec votre numéro {kind}, "
                f"qui a déjà un compte (identifiant : {holder.username}). L'équipe de la plateforme "
                "vérifiera cette demande avant toute suite. Si vous n'en êtes pas à l'origine, vous "
                "n'avez rien à faire."
            ),
            purpose="registration_duplicate",
            dedup_key=f"registration:{registration.id}:identifier-holder",
            now=visit.now,
            user_id=holder.id,
        )


def register(visit: Visit, body: RegistrationCreate, document: bytes | None) -> RegistrationCreated:
    """Record the form (and the document when sent with it), send the SMS code and the link."""
    if document is not None:
        check_content(document)  # 413, 415 or 422 before anything is written
    commune = commune_index().by_code.get(body.commune_insee)
    if commune is None:
        raise Invalid("commune_unknown", f"Commune inconnue : {body.commune_insee}")
    personal = personal_words(body.last_name, body.first_name, body.email, body.identifier)
    check_new_password(body.password, personal)
    password_hash = hash_password(body.password)
    token = secrets.token_urlsafe(32)
    with visit.db.session() as session:
        refuse_signup_flood(session, visit.origin.client_ip, body.phone, body.email, visit.now)
        found = assess(session, body)
        registration = Registration(
            status="unverified",
            identifier_kind=body.identifier_kind,
            identifier=body.identifier,
            last_name=body.last_name,
            first_name=body.first_name,
            profession_code=body.profession_code,
            phone=body.phone,
            email=body.email,
            commune_insee=commune.insee_code,
            commune_name=commune.name,
            postal_code=commune.postal_codes[0] if commune.postal_codes else None,
            address_line=body.address_line,
            network_name=body.network_name,
            network_id=found.network_id,
            password_hash=password_hash,
            client_token_hash=digest(token),
            flags=found.flags,
            directory=found.directory,
            created_at=visit.now,
            client_ip=visit.origin.client_ip,
        )
        session.add(registration)
        session.flush()
        if document is not None:
            _store_document(session, registration, document)
        _send_messages(session, signing_key(session, visit.now), registration, found, visit)
        visit.audit(
            session,
            "registration_submitted",
            status=201,
            registration_id=registration.id,
            flags=[f["code"] for f in found.flags],
        )
        return RegistrationCreated(id=registration.id, status="unverified", token=token)


def _own(session: Session, registration_id: int, token: str | None, *, lock: bool = False) -> Registration:
    """The registration whose client token this is (NotFound for any other: nothing to probe)."""
    registration = session.get(Registration, registration_id, with_for_update=lock)
    if (
        registration is None
        or not token
        or not secrets.compare_digest(registration.client_token_hash, digest(token))
    ):
        raise NotFound("registration_not_found", NOT_FOUND)
    return registration


def read_progress(visit: Visit, registration_id: int, token: str | None) -> RegistrationProgress:
    with visit.db.session() as session:
        return progress(_own(session, registration_id, token))


def verify_phone(visit: Visit, registration_id: int, token: str | None, code: str) -> RegistrationProgress:
    """Check the SMS code (each try counted, even a wrong one: committed before the refusal)."""
    with visit.db.session() as session:
        registration = _own(session, registration_id, token, lock=True)
        if registration.phone_verified_at is not None:
            return progress(registration)
        row = session.scalar(
            select(VerificationCode)
            .where(
                VerificationCode.registration_id == registration.id, VerificationCode.purpose == PHONE_PURPOSE
            )
            .order_by(VerificationCode.id.desc())
            .limit(1)
            .with_for_update()
        )
        check = try_code(signing_key(session, visit.now), row, code, visit.now)
        if check.accepted:
            registration.phone_verified_at = visit.now
            _maybe_ready(registration)
            visit.audit(session, "registration_phone_verified", registration_id=registration.id)
        answer = progress(registration)
    if check.refusal is not None:
        raise check.refusal
    return answer


def resend_code(visit: Visit, registration_id: int, token: str | None) -> RegistrationProgress:
    """A new SMS code (the previous one stops working): 5 at most, 60 s apart."""
    limits = enrolment_limits()
    with visit.db.session() as session:
        registration = _own(session, registration_id, token, lock=True)
        if registration.phone_verified_at is not None:
            return progress(registration)
        codes = list(
            session.scalars(
                select(VerificationCode.created_at).where(VerificationCode.registration_id == registration.id)
            )
        )
        if len(codes) >= limits.codes_per_registration:
            raise too_many(
                "Trop de codes envoyés pour cette inscription : contactez l'équipe", None, DAY, visit.now
            )
        last = max(codes, default=None)
        pause = timedelta(seconds=limits.resend_after_seconds)
        if last is not None and last + pause > visit.now:
            raise too_many(
                "Un code vient d'être envoyé : patientez avant d'en demander un autre", last, pause, visit.now
            )
        _send_code(session, signing_key(session, visit.now), registration, visit.now)
        return progress(registration)


def confirm_email(visit: Visit, token: str) -> RegistrationProgress:
    """The e-mailed link: a signed token naming the registration, valid 48 hours."""
    with visit.db.session() as session:
        try:
            subject = unsign(signing_key(session, visit.now), EMAIL_PURPOSE, token, visit.now)
        except Expired as exc:
            raise Invalid("link_expired", "Lien expiré : recommencez l'inscription") from exc
        except BadSignature as exc:
            raise Invalid("link_invalid", "Lien de vérification invalide") from exc
        registration = session.get(Registration, subject.get("r"), with_for_update=True)
        if registration is None:
            raise NotFound("registration_not_found", NOT_FOUND)
        if registration.email_verified_at is None:
            registration.email_verified_at = visit.now
            _maybe_ready(registration)
            visit.audit(session, "registration_email_verified", registration_id=registration.id)
        return progress(registration)


def attach_document(
    visit: Visit, registration_id: int, token: str | None, data: bytes
) -> RegistrationProgress:
    """The pièce justificative sent apart from the form (JSON clients); replaces an earlier one
    while the registration waits for its checks."""
    with visit.db.session() as session:
        registration = _own(session, registration_id, token, lock=True)
        if registration.status not in ("unverified", "to_review"):
            raise Invalid("registration_closed", "Cette inscription a déjà été examinée")
        _store_document(session, registration, data)
        _maybe_ready(registration)
        visit.audit(session, "registration_document", registration_id=registration.id)
        return progress(registration)
