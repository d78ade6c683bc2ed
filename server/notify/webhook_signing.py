"""How a webhook delivery is signed, so that its receiver knows it comes from this platform.

`Centrale-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over "{t}.{body}">`, keyed with the
responder's own secret (`professional_profiles.webhook_secret`, shown once to the administrator who
sets the URL or rotates the secret); the exact bytes of the body are signed. The receiver recomputes
the HMAC over the timestamp, a dot and the raw body it received, compares in constant time, and
refuses a timestamp too far from its clock (docs/server.md « Webhooks »).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Centrale-Signature"
DELIVERY_HEADER = "Centrale-Delivery"


def new_secret() -> str:
    """A fresh key: 32 random bytes, hex (the column holds 64 characters)."""
    return secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does (the tests use it): parse the header and compare in constant time."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not fields.get("t", "").isdigit() or "v1" not in fields:
        return False
    expected = signature(secret, int(fields["t"]), body)
    return hmac.compare_digest(expected, f"t={fields['t']},v1={fields['v1']}")
