"""One-time codes: 6 digits, valid 10 minutes, 5 tries, single use, stored as a keyed hash
(server/security/signing.py). Used by the enrolment's SMS code and the password reset by SMS."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from server.errors import Invalid
from server.models import VerificationCode
from server.security.signing import keyed_hash

CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def issue_code(
    session: Session,
    key: bytes,
    *,
    purpose: str,
    now: datetime,
    registration_id: int | None = None,
    user_id: int | None = None,
    lookup_hash: str | None = None,
    client_ip: str | None = None,
    secret: str | None = None,
    ttl: timedelta = CODE_TTL,
) -> tuple[VerificationCode, str]:
    """A new code row and the code in clear (to send once, never stored)."""
    code = secret if secret is not None else new_code()
    row = VerificationCode(
        purpose=purpose,
        registration_id=registration_id,
        user_id=user_id,
        lookup_hash=lookup_hash,
        code_hash=keyed_hash(key, code),
        created_at=now,
        expires_at=now + ttl,
        tries=0,
        client_ip=client_ip,
    )
    session.add(row)
    session.flush()
    return row, code


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of one try: accepted, or the French refusal (raise it after the commit, so
    that the try is counted)."""

    accepted: bool
    refusal: Invalid | None = None


def normalised(code: str) -> str:
    return "".join(c for c in code if not c.isspace())


def try_code(key: bytes, row: VerificationCode | None, code: str, now: datetime) -> CodeCheck:
    """Count a try of `code` against `row` (locked by the caller) and use it up on success."""
    if row is None or row.used_at is not None or row.expires_at <= now:
        return CodeCheck(
            False, Invalid("code_expired", "Code expiré ou déjà utilisé : demandez un nouveau code")
        )
    if row.tries >= MAX_TRIES:
        return CodeCheck(False, Invalid("code_tries_exhausted", "Trop d'essais : demandez un nouveau code"))
    row.tries += 1
    if not secrets.compare_digest(row.code_hash, keyed_hash(key, normalised(code))):
        left = MAX_TRIES - row.tries
        message = (
            f"Code incorrect : encore {left} essai{'s' if left > 1 else ''}"
            if left
            else "Code incorrect : trop d'essais, demandez un nouveau code"
        )
        return CodeCheck(False, Invalid("code_wrong", message, tries_left=left))
    row.used_at = now
    return CodeCheck(True)
