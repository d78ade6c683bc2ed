"""An administrator's « Réinitialiser le mot de passe » (issue 17, item 1): the admin never learns a
usable password, so they cannot log in as the account afterwards.

What a reset does, in one transaction, audited (`admin_user_password_reset`: who reset whom, the
way the link went, the link's id):
- the account's password stops working at once (replaced by a value no password matches);
- every session of the account ends: API tokens revoked, web sessions closed, trusted devices
  forgotten, earlier unused links and codes used up (server/services/account_sessions.py);
- a one-time set-password link (the self-service « Mot de passe oublié » link of
  server/services/password_reset.py, same page, same single use) goes to the *user*: by e-mail
  when the account has an address, else by SMS to its phone.
- An account with neither (a hotline operator's workstation account may have none): the link is
  answered once to the admin, to hand over to the user in person. It only lets its holder *choose*
  a password; an admin who used it himself would leave two entries naming him (the reset) and the
  account (the choice, `password_reset` with the same link id), and the user would find her
  password changed — never a silent impersonation. It is valid 24 hours and never stored in clear.

A user created without a password gets the same link (`issue_first_password`).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Literal

from sqlalchemy import update
from sqlalchemy.orm import Session

from server.errors import not_found
from server.models import User, VerificationCode
from server.notify.outbound import queue_email, queue_sms
from server.security.signing import digest, signing_key
from server.services.account_sessions import end_sessions
from server.services.accounts import NO_USABLE_PASSWORD
from server.services.acting import Acting
from server.services.one_time_codes import issue_code
from server.services.password_reset import LINK_PAGE
from shared.schemas.admin import PasswordLinkIssued

ADMIN_LINK_TTL = timedelta(hours=24)
LINK_PURPOSE = "reset_email"  # the self-service link's purpose: its page and confirmation accept it

Channel = Literal["email", "sms", "handover"]


def reset(acting: Acting, user_id: int, public_url: str) -> PasswordLinkIssued:
    with acting.transaction("admin_user_password_reset", target_user_id=user_id) as tx:
        user = tx.session.get(User, user_id, with_for_update=True)
        if user is None:
            raise not_found("Utilisateur")
        issued = _issue(tx.session, acting, user, public_url, first=False)
        acting.audit(
            tx.session,
            "admin_user_password_reset",
            target_user_id=user.id,
            target=user.username,
            channel=issued.channel,
            link_id=issued.link_id,
            sessions_ended=True,
        )
        return issued


def issue_first_password(session: Session, acting: Acting, user: User, public_url: str) -> PasswordLinkIssued:
    """For an account just created without a password (audited by the creation)."""
    return _issue(session, acting, user, public_url, first=True)


def _issue(
    session: Session, acting: Acting, user: User, public_url: str, *, first: bool
) -> PasswordLinkIssued:
    user.password_hash = NO_USABLE_PASSWORD
    end_sessions(session, user, acting.now)
    session.execute(
        update(VerificationCode)
        .where(VerificationCode.user_id == user.id, VerificationCode.used_at.is_(None))
        .values(used_at=acting.now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    row, _ = issue_code(
        session,
        signing_key(session, acting.now),
        purpose=LINK_PURPOSE,
        now=acting.now,
        user_id=user.id,
        lookup_hash=digest(token),
        client_ip=acting.origin.client_ip,
        secret=token,
        ttl=ADMIN_LINK_TTL,
    )
    link = f"{public_url}{LINK_PAGE}?jeton={token}"
    dedup = f"admin-password-link:{row.id}"
    channel: Channel
    if user.email:
        channel = "email"
        why = "Votre compte Centrale vient d'être créé" if first else "Un administrateur a réinitialisé"
        queue_email(
            session,
            to=user.email,
            subject="Centrale : choisir votre mot de passe",
            text=(
                f"Bonjour,\n\n{why} (identifiant : {user.username}"
                f"{')' if first else ') le mot de passe de votre compte Centrale'}. "
                "Pour choisir votre mot de passe, ouvrez ce lien, valable 24 heures et une seule fois :\n"
                f"{link}\n\nSi vous n'attendiez pas ce message, prévenez votre administrateur."
            ),
            purpose="password_set_link",
            dedup_key=f"{dedup}:email",
            now=acting.now,
            user_id=user.id,
        )
    elif user.phone:
        channel = "sms"
        queue_sms(
            session,
            to=user.phone,
            text=f"Centrale : choisissez votre mot de passe (lien valable 24 h) : {link}",
            purpose="password_set_link",
            dedup_key=f"{dedup}:sms",
            now=acting.now,
            user_id=user.id,
        )
    else:
        channel = "handover"
    return PasswordLinkIssued(
        channel=channel,
        link_id=row.id,
        expires_at=row.expires_at,
        link=link if channel == "handover" else None,
        message=_MESSAGES[channel],
    )


_MESSAGES: dict[Channel, str] = {
    "email": "Un lien pour choisir son mot de passe a été envoyé à l'adresse e-mail de l'utilisateur "
    "(valable 24 heures). Ses sessions en cours sont fermées.",
    "sms": "Un lien pour choisir son mot de passe a été envoyé par SMS au numéro de l'utilisateur "
    "(valable 24 heures). Ses sessions en cours sont fermées.",
    "handover": "Ce compte n'a ni e-mail ni téléphone : remettez ce lien à l'utilisateur en personne "
    "(affiché une seule fois, valable 24 heures, il lui permet seulement de choisir son mot de passe). "
    "Ses sessions en cours sont fermées.",
}
