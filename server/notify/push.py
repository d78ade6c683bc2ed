"""Web Push: the standard protocol (RFC 8030) with VAPID (RFC 8292) and the aes128gcm message
encryption (RFC 8291), as browsers' push services (Mozilla autopush, FCM, Apple) expect.

The VAPID key pair comes from the secret store (`CENTRALE_VAPID_PRIVATE_KEY`, a PEM); without one
the server generates a pair at first start and keeps it in the database (`server_secrets`), the
place it already keeps its password hashes, so the browsers' subscriptions survive a restart.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from datetime import datetime
from urllib.parse import urlsplit

import http_ece  # type: ignore[import-untyped]
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02  # type: ignore[import-untyped]
from sqlalchemy.exc import IntegrityError

from server.db import Database
from server.models import ServerSecret
from server.notify.channels import Outgoing, RecipientGone, SendFailed

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


def encrypt_payload(payload: bytes, p256dh: str, auth: str) -> bytes:
    """RFC 8291: a new ECDH key per message, the subscription's key and auth secret, aes128gcm."""
    sender_key = ec.generate_private_key(ec.SECP256R1())
    encrypted: bytes = http_ece.encrypt(
        payload,
        salt=os.urandom(16),
        private_key=sender_key,
        dh=b64url_decode(p256dh),
        auth_secret=b64url_decode(auth),
        version="aes128gcm",
    )
    return encrypted


class WebPush:
    """Sends to the subscription's endpoint; safe to call from many threads (one pooled client)."""

    def __init__(self, key: VapidKey, *, timeout: float = 10.0, max_connections: int = 64) -> None:
        self.key = key
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._client = httpx.Client(timeout=timeout, limits=limits, headers={"User-Agent": "centrale-server"})

    def send(self, message: Outgoing) -> str | None:
        target = message.push
        if target is None:
            raise SendFailed("abonnement push introuvable", permanent=True)
        body = json.dumps(message.payload or {"title": "Centrale", "body": message.text}).encode("utf-8")
        try:
            encrypted = encrypt_payload(body, target.p256dh, target.auth)
        except (ValueError, TypeError, http_ece.ECEException) as exc:
            raise SendFailed(f"clés de l'abonnement invalides : {exc}", permanent=True) from exc
        headers = {
            **self.key.headers(target.endpoint),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(TTL_SECONDS.get(message.purpose, DEFAULT_TTL_SECONDS)),
            "Urgency": "high" if message.purpose == "offer" else "normal",
        }
        try:
            response = self._client.post(target.endpoint, content=encrypted, headers=headers)
        except httpx.HTTPError as exc:
            raise SendFailed(f"service push injoignable : {type(exc).__name__}") from exc
        if response.status_code in (404, 410):
            raise RecipientGone(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            permanent = response.status_code in (400, 403, 413)
            raise SendFailed(f"service push : HTTP {response.status_code}", permanent=permanent)
        location: str | None = response.headers.get("location")
        return location

    def close(self) -> None:
        self._client.close()
