"""Trusted devices: the quick unlock by PIN (the seeds' « schéma »).

After a password login, a professional may trust this browser: it gets a long-lived cookie (its
SHA-256 kept here) and a PIN of their choice (argon2id, like passwords). When their session has
ended, the browser holding that cookie asks the PIN instead of the password. Four wrong PINs block
the device for 30 s, each further block doubles, a success resets it — the seeds' rule, kept by
server/security/throttle.py under the key ``pin:<device id>`` (no username has a colon).
« Schéma oublié / Autre personne » forgets the device: the password is asked again.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Invalid
from server.models import User, WebDevice, WebSession
from server.security import throttle
from server.security.passwords import hash_password, verify_password
from server.web.sessions import digest, mark_by_token
from server.web.settings import WebSettings
from shared.domain import Role

DEVICE_COOKIE = "centrale_device"
PIN_MIN, PIN_MAX = 4, 8
_DIGITS = re.compile(r"\d+")


def check_pin(pin: str, confirmation: str) -> str:
    """The PIN chosen, or Invalid with what is wrong (French message)."""
    pin = pin.strip()
    if not _DIGITS.fullmatch(pin) or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise Invalid("pin_format", f"Le schéma est un code de {PIN_MIN} à {PIN_MAX} chiffres")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise Invalid("pin_weak", "Ce schéma est trop facile à deviner : choisissez-en un autre")
    if pin != confirmation.strip():
        raise Invalid("pin_mismatch", "Les deux saisies du schéma ne sont pas identiques")
    return pin


def trust_device(
    session: Session, user_id: int, pin: str, now: datetime, client: str, web_session_id: int
) -> str:
    """Trust this browser for `user_id` with `pin` (checked already), and tie the current session
    to it; returns the device cookie's token."""
    token = secrets.token_urlsafe(32)
    device = WebDevice(
        token_hash=digest(token),
        user_id=user_id,
        pin_hash=hash_password(pin),
        created_at=now,
        last_used_at=now,
        forgotten=False,
        client=client,
    )
    session.add(device)
    session.flush()
    web_session = session.get(WebSession, web_session_id)
    if web_session is not None:
        web_session.device_id = device.id
    return token


def device_of(session: Session, token: str | None, now: datetime, settings: WebSettings) -> WebDevice | None:
    """The trusted device behind this cookie, if it still is one (not forgotten, used recently,
    its professional still active)."""
    if not token:
        return None
    device = session.scalar(select(WebDevice).where(WebDevice.token_hash == digest(token)))
    if device is None or device.forgotten:
        return None
    if device.last_used_at + timedelta(days=settings.device_days) <= now:
        return None
    user = session.get(User, device.user_id)
    if user is None or not user.active or user.role != Role.PROFESSIONAL.value:
        return None
    return device


def _key(device: WebDevice) -> str:
    return f"pin:{device.id}"


def blocked_message(seconds: int) -> str:
    return f"Schéma erroné trop de fois : réessayez dans {seconds} s"


def seconds_blocked(session: Session, device: WebDevice, now: datetime) -> int:
    return throttle.seconds_blocked(session, _key(device), now)


def unlock(session: Session, device: WebDevice, pin: str, now: datetime) -> tuple[bool, int]:
    """(whether `pin` opens this device, seconds it is blocked now). Call it only when the device
    is not blocked (`seconds_blocked`); a wrong PIN may start a block, which the caller commits
    before telling (raising would roll the count back). A success resets the count."""
    if verify_password(device.pin_hash, pin.strip()):
        throttle.record_success(session, _key(device))
        device.last_used_at = now
        return True, 0
    return False, throttle.record_failure(session, _key(device), now)


def forget_device(session: Session, token: str | None) -> None:
    mark_by_token(session, WebDevice, token, forgotten=True)
