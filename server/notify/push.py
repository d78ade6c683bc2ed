"""Web Push: the standard protocol (RFC 8030) with VAPID (RFC 8292) and the aes128gcm message
encryption (RFC 8291), as browsers' push services (Mozilla autopush, FCM, Apple) expect.

The VAPID key pair comes from the secret store (`CENTRALE_VAPID_PRIVATE_KEY`, a PEM); without one
the server generates a pair at first start and keeps it in the database (`server_secrets`), the
place it already keeps its password hashes, so the browsers' subscriptions survive a restart.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import threading
import time
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02  # type: ignore[import-untyped]
from sqlalchemy.exc import IntegrityError

from server.db import Database
from server.models import ServerSecret
from server.notify.channels import Outgoing, RecipientGone, SendFailed
from server.notify.http_pool import KeepAliveConnections
from server.notify.push_crypto import BadSubscriptionKeys, encrypt

log = logging.getLogger("centrale.push")
VAPID_SECRET_NAME = "vapid_private_key"  # noqa: S105 (the row's name, not a secret)
JWT_LIFETIME_SECONDS = 12 * 3600  # RFC 8292: at most 24 h
# How long the push service keeps a message for an offline browser: an offer is stale in minutes.
TTL_SECONDS = {"offer": 15 * 60}
DEFAULT_TTL_SECONDS = 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidKey:
    """The application server's key pair; signs one JWT per push service origin (cached)."""

    def __init__(self, private_pem: str, subject: str) -> None:
        self._vapid = Vapid02.from_pem(private_pem.encode("ascii"))
        self._subject = subject
        self._tokens: dict[str, tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()
        point = self._vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.public_key = b64url(point)  # the browser's `applicationServerKey`

    def headers(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            cached = self._tokens.get(audience)
            if cached is not None and cached[0] > time.time() + 600:
                return cached[1]
            expires = int(time.time()) + JWT_LIFETIME_SECONDS
            signed = self._vapid.sign({"aud": audience, "exp": expires, "sub": self._subject})
            headers = {"Authorization": str(signed["Authorization"])}
            self._tokens[audience] = (expires, headers)
            return headers


def generate_private_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def load_vapid_key(db: Database, configured_pem: str | None, subject: str, now: datetime) -> VapidKey:
    """The secret store's key, else the one this server generated before, else a new one kept."""
    if configured_pem:
        return VapidKey(configured_pem, subject)
    with db.session() as session:
        stored = session.get(ServerSecret, VAPID_SECRET_NAME)
        if stored is not None:
            return VapidKey(stored.value, subject)
    pem = generate_private_pem()
    try:
        with db.session() as session:
            session.add(ServerSecret(name=VAPID_SECRET_NAME, value=pem, created_at=now))
        log.warning("clé VAPID générée et gardée dans la base (aucune dans le magasin de secrets)")
    except IntegrityError:  # another process generated one at the same moment: use theirs
        with db.session() as session:
            stored = session.get(ServerSecret, VAPID_SECRET_NAME)
            assert stored is not None
            pem = stored.value
    return VapidKey(pem, subject)


def push_body(message: Outgoing) -> bytes:
    """The JSON the service worker receives: title, body, url, `tag` and `delivery_id`.

    At least once: a push whose answer was lost is sent again, with the same `delivery_id` and
    `tag`. The service worker passes `tag` to `showNotification(title, {tag, …})`, which replaces
    a notification with that tag (silently, without `renotify`) instead of showing a second one;
    it can also skip a `delivery_id` it already showed (`getNotifications({tag})` → `data`)."""
    payload: dict[str, object] = dict(message.payload or {"title": "Centrale", "body": message.text})
    payload["delivery_id"] = message.delivery_id
    payload.setdefault("tag", f"centrale-{message.delivery_id}")
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebPush:
    """Sends to the subscription's endpoint; safe from many threads (keep-alive connections per
    push service origin, server/notify/http_pool.py)."""

    def __init__(self, key: VapidKey, *, timeout: float = 10.0, max_connections: int = 16) -> None:
        self.key = key
        self._connections = KeepAliveConnections(per_origin=max_connections, timeout=timeout)

    def send(self, message: Outgoing) -> str | None:
        target = message.push
        if target is None:
            raise SendFailed("abonnement push introuvable", permanent=True)
        try:
            encrypted = encrypt(push_body(message), target.p256dh, target.auth)
        except BadSubscriptionKeys as exc:
            raise SendFailed(f"clés de l'abonnement invalides : {exc}", permanent=True) from exc
        headers = {
            **self.key.headers(target.endpoint),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(TTL_SECONDS.get(message.purpose, DEFAULT_TTL_SECONDS)),
            "Urgency": "high" if message.purpose == "offer" else "normal",
            "User-Agent": "centrale-server",
        }
        try:
            answer = self._connections.post(target.endpoint, encrypted, headers)
        except (OSError, http.client.HTTPException) as exc:
            raise SendFailed(f"service push injoignable : {type(exc).__name__}") from exc
        if answer.status in (404, 410):
            raise RecipientGone(f"HTTP {answer.status}")
        if answer.status >= 400:
            permanent = answer.status in (400, 403, 413)
            raise SendFailed(f"service push : HTTP {answer.status}", permanent=permanent)
        return answer.location

    def close(self) -> None:
        self._connections.close()
