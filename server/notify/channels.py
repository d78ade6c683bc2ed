"""What a channel's sender is: one small Protocol, chosen once from the settings (server/notify/wiring.py).

A sender gets one `Outgoing` message and either returns the provider's message id (or None), or
raises `SendFailed` (retried with back-off unless `permanent`) or `RecipientGone` (a push
subscription the push service no longer knows: the subscription is marked gone, nothing retried).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class PushTarget:
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    channel: str
    recipient: str
    text: str
    subject: str | None = None
    payload: dict[str, Any] | None = None
    purpose: str = ""
    push: PushTarget | None = field(default=None)


class SendFailed(Exception):
    """The provider refused or could not be reached; `permanent`: retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class RecipientGone(Exception):
    """The push service answered 404/410: the subscription expired or was revoked."""


class ChannelSender(Protocol):
    def send(self, message: Outgoing) -> str | None: ...


class DemoLog:
    """The demo/log backend: nothing leaves the server; the delivery row itself is the log that
    « Messages envoyés » (/pro/demo/messages) shows."""

    def send(self, message: Outgoing) -> str | None:
        return f"demo-{message.delivery_id}"
