"""« Mot de passe oublié », self-service: the seeds' mail to the team becomes a link by e-mail or a
6-digit code by SMS, then a new password (12 to 128 characters, like every password here).

- The request names the account by its username, e-mail or mobile phone. The answer is the same
  whether or not such an account exists (and whether it has an address for the channel): only the
  account's own mailbox or phone learns anything. The SMS way answers a `ticket` in every case (a
  random one when nothing was sent), which goes with the code.
- A link is valid 1 hour, a code 10 minutes and 5 tries; both are single use, stored hashed.
- A new password ends every session of the account: API tokens revoked, web sessions closed,
  trusted devices (PIN) forgotten; the login throttle's block on the username is lifted (the
  holder proved they hold the phone or the mailbox).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.errors import Invalid
from server.models import User, VerificationCode
from server.notify.outbound import queue_email, queue_sms
from server.security.passwords import check_new_password, hash_password, personal_words
from server.security.signing import digest, keyed_hash, signing_key
from server.services.account_sessions import end_sessions
from server.services.enrolment_limits import account_resets_exhausted, refuse_reset_flood
from server.services.one_time_codes import issue_code, try_code
from server.services.visit import Visit
from shared.schemas.registrations import ResetConfirm, ResetRequest, ResetRequested
from shared.validation import ValidationFailure, normalize_phone

LINK_TTL = timedelta(hours=1)
LINK_PAGE = "/pro/mot-de-passe/nouveau"
SENT = {
    "email": "Si un compte correspond, un lien pour choisir un nouveau mot de passe vient d'être envoyé "
    "à son adresse e-mail (valable 1 heure).",
    "sms": "Si un compte correspond, un code à 6 chiffres vient d'être envoyé par SMS à son numéro de "
    "mobile (valable 10 minutes).",
}
LINK_REFUSED = "Lien invalide, expiré ou déjà utilisé : refaites la demande"


def account_of(session: Session, login: str) -> User | None:
    """The one active account this username, e-mail or phone names (None when none or several)."""
    text = login.strip()
    if "@" in text:
        query = select(User).where(User.email == text.lower())
    else:
        try:
            query = select(User).where(User.phone == normalize_phone(text))
        except ValidationFailure:
            query = select(User).where(User.username == text.lower())
    found = list(session.scalars(query.where(User.active).limit(2)))
    return found[0] if len(found) == 1 else None


def request_reset(visit: Visit, body: ResetRequest) -> ResetRequested:
    ticket = secrets.token_urlsafe(32) if body.channel == "sms" else None
    with visit.db.session() as session:
        refuse_reset_flood(session, visit.origin.client_ip, visit.now)
        user = account_of(session, body.login)
        sent = False
        if user is not None and not account_resets_exhausted(session, user.id, visit.now):
            key = signing_key(session, visit.now)
            if body.channel == "email" and user.email:
                _send_link(session, key, user, visit)
                sent = True
            elif body.channel == "sms" and user.phone and ticket is not None:
                row, code = issue_code(
                    session,
                    key,
                    purpose="reset_sms",
                    now=visit.now,
                    user_id=user.id,
                    lookup_hash=digest(ticket),
                    client_ip=visit.origin.client_ip,
                )
                queue_sms(
                    session,
                    to=user.phone,
                    text=f"Centrale : votre code pour choisir un nouveau mot de passe est {code} "
                    "(valable 10 minutes). Ne le communiquez à personne.",
                    purpose="password_reset_code",
                    dedup_key=f"password-reset:{row.id}:sms",
                    now=visit.now,
                    user_id=user.id,
                )
                sent = True
        visit.audit(
            session,
            "password_reset_requested",
            username=user.username if user else None,
            channel=body.channel,
            sent=sent,
        )
    return ResetRequested(channel=body.channel, ticket=ticket, message=SENT[body.channel])


def _send_link(session: Session, key: bytes, user: User, visit: Visit) -> None:
    token = secrets.token_urlsafe(32)
    row, _ = issue_code(
        session,
        key,
        purpose="reset_email",
        now=visit.now,
        user_id=user.id,
        lookup_hash=digest(token),
        client_ip=visit.origin.client_ip,
        secret=token,
        ttl=LINK_TTL,
    )
    assert user.email is not None
    queue_email(
        session,
        to=user.email,
        subject="Centrale : choisir un nouveau mot de passe",
        text=(
            f"Bonjour,\n\nPour choisir un nouveau mot de passe pour votre compte Centrale "
            f"(identifiant : {user.username}), ouvrez ce lien, valable 1 heure et une seule fois :\n"
            f"{visit.public_url}{LINK_PAGE}?jeton={token}\n\n"
            "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas."
        ),
        purpose="password_reset_link",
        dedup_key=f"password-reset:{row.id}:email",
        now=visit.now,
        user_id=user.id,
    )


def link_is_usable(visit: Visit, token: str) -> bool:
    """Whether the page may show the new-password form for this link (nothing is used up)."""
    with visit.db.session() as session:
        row = session.scalar(select(VerificationCode).where(VerificationCode.lookup_hash == digest(token)))
        return (
            row is not None
            and row.purpose == "reset_email"
            and row.used_at is None
            and row.expires_at > visit.now
        )


def confirm_reset(visit: Visit, body: ResetConfirm) -> str:
    """Set the new password from a link's token or a ticket and its code; returns the username."""
    password_hash = hash_password(body.password)
    refusal: Invalid | None = None
    username = ""
    with visit.db.session() as session:
        key = signing_key(session, visit.now)
        proof = body.token or body.ticket or ""
        row = session.scalar(
            select(VerificationCode).where(VerificationCode.lookup_hash == digest(proof)).with_for_update()
        )
        if body.token:
            usable = (
                row is not None
                and row.purpose == "reset_email"
                and row.used_at is None
                and row.expires_at > visit.now
                and secrets.compare_digest(row.code_hash, keyed_hash(key, body.token))
            )
            if usable and row is not None:
                row.used_at = visit.now
            else:
                refusal = Invalid("link_invalid", LINK_REFUSED)
        else:
            sms_row = row if row is not None and row.purpose == "reset_sms" else None
            check = try_code(key, sms_row, body.code or "", visit.now)
            refusal = check.refusal
        if refusal is None and row is not None and row.user_id is not None:
            owner = session.get(User, row.user_id)
            if owner is not None:  # refused here, inside: the link or the code stays usable
                personal = personal_words(owner.username, owner.display_name, owner.email)
                check_new_password(body.password, personal)
            username = _set_password(session, row.user_id, password_hash, visit)
    if refusal is not None:
        raise refusal
    return username


def _set_password(session: Session, user_id: int, password_hash: str, visit: Visit) -> str:
    user = session.get(User, user_id)
    assert user is not None  # the code row cascades with the user
    user.password_hash = password_hash
    unused_codes = (
        update(VerificationCode)
        .where(VerificationCode.user_id == user.id, VerificationCode.used_at.is_(None))
        .values(used_at=visit.now)
    )
    session.execute(unused_codes.execution_options(synchronize_session=False))
    end_sessions(session, user, visit.now)
    visit.audit(session, "password_reset", username=user.username)
    return user.username
