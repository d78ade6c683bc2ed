"""A local stand-in for a browser vendor's push service (RFC 8030), for the Web Push tests.

`subscribe()` plays the browser: it makes a P-256 key pair and an auth secret and returns the
subscription JSON (endpoint on this server). A POST to an endpoint is checked as a real push
service would — `Content-Encoding: aes128gcm`, a `TTL`, the VAPID `Authorization: vapid t=…,k=…`
whose ES256 JWT must verify against `k` (and `k` must be the server's public key when one is
expected), `aud` must be this origin and `exp` in the future — then decrypted with the
subscription's private key and auth secret (http_ece), so the tests assert on the cleartext.
Endpoints can be made to answer 410 Gone, or fail a few times.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece  # type: ignore[import-untyped]
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    token: str
    payload: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.time() when the POST arrived


@dataclass
class Browser:
    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes


@dataclass
class PushService:
    url: str = ""
    expected_public_key: str | None = None
    browsers: dict[str, Browser] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # why a POST was refused
    gone: set[str] = field(default_factory=set)
    failures_left: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self) -> dict[str, Any]:
        """A new browser subscription: what `PushSubscription.toJSON()` gives the page."""
        token = secrets.token_urlsafe(12)
        key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        with self.lock:
            self.browsers[token] = Browser(token, key, auth)
        point = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.url}/push/{token}",
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(auth)},
        }

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        with self.lock:
            return list(self.received)

    def for_token(self, endpoint: str) -> list[Received]:
        token = endpoint.rsplit("/", 1)[-1]
        with self.lock:
            return [r for r in self.received if r.token == token]


def verify_vapid(authorization: str, audience: str, expected_key: str | None) -> str | None:
    """None when valid, else why not (RFC 8292)."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        return "schéma d'autorisation"
    parts = dict(p.split("=", 1) for p in params.split(",") if "=" in p)
    token, key = parts.get("t", ""), parts.get("k", "")
    if expected_key is not None and key != expected_key:
        return "clé VAPID inattendue"
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        raw = b64url_decode(signature_b64)
        signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(claims_b64))
    except (ValueError, InvalidSignature) as exc:
        return f"JWT invalide : {type(exc).__name__}"
    if header.get("alg") != "ES256":
        return "alg"
    if claims.get("aud") != audience:
        return f"aud {claims.get('aud')} ≠ {audience}"
    if not (time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600):
        return "exp"
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        return "sub"
    return None


@contextmanager
def push_service(expected_public_key: str | None = None) -> Iterator[PushService]:
    service = PushService(expected_public_key=expected_public_key)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            token = self.path.rsplit("/", 1)[-1]
            status, reason = self._check(token, body)
            self.send_response(status)
            if status == 201:
                self.send_header("Location", f"{service.url}/message/{secrets.token_hex(6)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            if reason:
                with service.lock:
                    service.rejected.append(reason)

        def _check(self, token: str, body: bytes) -> tuple[int, str | None]:
            arrived = time.time()
            with service.lock:
                browser = service.browsers.get(token)
                if token in service.gone or browser is None:
                    return 410, None
                if service.failures_left.get(token, 0) > 0:
                    service.failures_left[token] -= 1
                    return 503, None
            if self.headers.get("content-encoding") != "aes128gcm" or not self.headers.get("ttl"):
                return 400, "en-têtes"
            authorization = self.headers.get("authorization", "")
            why = verify_vapid(authorization, service.url, service.expected_public_key)
            if why:
                return 403, why
            try:
                clear = http_ece.decrypt(
                    body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
                )
            except Exception as exc:  # the test says why
                return 400, f"déchiffrement : {exc}"
            with service.lock:
                service.received.append(Received(token, json.loads(clear), dict(self.headers), arrived))
            return 201, None

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
