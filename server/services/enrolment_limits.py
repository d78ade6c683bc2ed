"""How much an anonymous visitor may ask: sign-ups per address and per phone or e-mail, SMS codes
per registration, password resets per account and per address. Counted on the rows themselves
(registrations, verification_codes), so the limits hold across server processes and restarts.

Defaults, changed by the deployment through the environment (`CENTRALE_ENROLMENT_*`): 10 sign-ups
an hour from one IP address (a CPTS enrolling its members from one office still fits), 3 a day
for one phone or one e-mail, 5 SMS codes per registration at least 60 s apart, 3 password resets
an hour per account (silently: nothing more is sent) and 10 per address. A refusal is the same
for everyone (429 with Retry-After): it never says whether an account exists.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from server.errors import RateLimited
from server.models import Registration, VerificationCode

HOUR = timedelta(hours=1)
_RESETS = VerificationCode.purpose.in_(("reset_sms", "reset_email"))
DAY = timedelta(days=1)


@dataclass(frozen=True)
class EnrolmentLimits:
    signups_per_ip_hour: int = 10
    signups_per_contact_day: int = 3
    codes_per_registration: int = 5
    resend_after_seconds: int = 60
    resets_per_account_hour: int = 3
    resets_per_ip_hour: int = 10

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> EnrolmentLimits:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            **{
                name: int(env.get(f"CENTRALE_ENROLMENT_{name.upper()}", getattr(defaults, name)))
                for name in cls.__dataclass_fields__
            }
        )


@cache
def enrolment_limits() -> EnrolmentLimits:
    return EnrolmentLimits.from_env()


def too_many(message: str, oldest: datetime | None, window: timedelta, now: datetime) -> RateLimited:
    wait = (
        max(1, math.ceil(((oldest + window) - now).total_seconds()))
        if oldest
        else int(window.total_seconds())
    )
    return RateLimited("too_many_requests", message, retry_after=wait)


def _window(
    session: Session,
    model: type[Registration] | type[VerificationCode],
    where: ColumnElement[bool],
    since: datetime,
) -> tuple[int, datetime | None]:
    row = session.execute(
        select(func.count(), func.min(model.created_at)).where(where, model.created_at > since)
    ).one()
    return int(row[0]), row[1]


def refuse_signup_flood(session: Session, ip: str | None, phone: str, email: str, now: datetime) -> None:
    limits = enrolment_limits()
    message = "Trop d'inscriptions demandées : réessayez plus tard"
    if ip:
        count, oldest = _window(session, Registration, Registration.client_ip == ip, now - HOUR)
        if count >= limits.signups_per_ip_hour:
            raise too_many(message, _aware(oldest), HOUR, now)
    for column, value in ((Registration.phone, phone), (Registration.email, email)):
        count, oldest = _window(session, Registration, column == value, now - DAY)
        if count >= limits.signups_per_contact_day:
            raise too_many(message, _aware(oldest), DAY, now)


def refuse_reset_flood(session: Session, ip: str | None, now: datetime) -> None:
    """Per address only: a refusal per account would tell which accounts exist."""
    limits = enrolment_limits()
    if ip:
        where = _RESETS & (VerificationCode.client_ip == ip)
        count, oldest = _window(session, VerificationCode, where, now - HOUR)
        if count >= limits.resets_per_ip_hour:
            message = "Trop de demandes de réinitialisation : réessayez plus tard"
            raise too_many(message, _aware(oldest), HOUR, now)


def account_resets_exhausted(session: Session, user_id: int, now: datetime) -> bool:
    """The account had its share of resets this hour: the next request is answered the same way,
    but nothing more is sent (the answer does not change, so it reveals nothing)."""
    where = _RESETS & (VerificationCode.user_id == user_id)
    count, _oldest = _window(session, VerificationCode, where, now - HOUR)
    return count >= enrolment_limits().resets_per_account_hour


def _aware(value: datetime | None) -> datetime | None:
    """min() of a UtcDateTime column comes back raw on SQLite (naive UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
