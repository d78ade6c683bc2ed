"""Notification channels on the wire: Web Push subscriptions and the delivery log."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from shared.schemas.common import ApiModel

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("clé illisible (base64url attendu)") from exc


class PushKeys(ApiModel):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)

    @field_validator("p256dh")
    @classmethod
    def _point(cls, value: str) -> str:
        raw = _b64url(value)
        if len(raw) != 65 or raw[0] != 4:
            raise ValueError("clé p256dh invalide (point P-256 non compressé attendu)")
        return value

    @field_validator("auth")
    @classmethod
    def _secret(cls, value: str) -> str:
        if len(_b64url(value)) != 16:
            raise ValueError("secret auth invalide (16 octets attendus)")
        return value


class PushSubscriptionIn(ApiModel):
    """The browser's `PushSubscription.toJSON()`, as the service worker's page posts it."""

    endpoint: str = Field(max_length=1000)
    expirationTime: int | None = None
    keys: PushKeys

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        parts = urlsplit(value)
        secure = parts.scheme == "https" and bool(parts.hostname)
        local = parts.scheme == "http" and parts.hostname in LOOPBACK  # a push service on this machine
        if not (secure or local):
            raise ValueError("adresse du service push invalide (https:// attendu)")
        return value


class PushSubscriptionOut(BaseModel):
    id: int
    endpoint_origin: str
    created_at: datetime
    last_success_at: datetime | None
    gone_at: datetime | None


class PushPublicKey(BaseModel):
    public_key: str = Field(description="La clé publique VAPID (applicationServerKey), base64url")


DeliveryChannel = Literal["push", "sms", "email", "mssante"]
DeliveryStatus = Literal["queued", "sent", "failed", "abandoned", "suppressed"]


class DeliveryView(BaseModel):
    """One row of the delivery log: what was sent to whom on which channel, or why not."""

    id: int
    channel: DeliveryChannel
    purpose: str
    user_id: int | None
    user_name: str | None
    recipient: str
    subject: str | None
    text: str
    status: DeliveryStatus
    status_label: str
    reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    provider_message_id: str | None
    prescription_id: int | None


class DeliveryPage(BaseModel):
    items: list[DeliveryView]
    next_before_id: int | None = Field(description="Pass as `before_id` for the next (older) page")
