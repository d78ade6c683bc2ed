"""A local stand-in for a browser vendor's push service (RFC 8030), for the Web Push tests.

`subscribe()` plays the browser: it makes a P-256 key pair and an auth secret and returns the
subscription JSON (endpoint on this server). A POST to an endpoint is checked as a real push
service would — `Content-Encoding: aes128gcm`, a `TTL`, the VAPID `Authorization: vapid t=…,k=…`
whose ES256 JWT must verify against `k` (and `k` must be the server's public key when one is
expected), `aud` must be this origin and `exp` in the future — then decrypted with the
subscription's private key and auth secret (http_ece), so the tests assert on the cleartext.
Endpoints can be made to answer 410 Gone, or fail a few times.

`push_service_process()` runs the same stand-in in **its own process** for the benchmark: there the
receipt path only timestamps and records each POST (an asyncio server: the bench's own work never
delays a receipt); the test side keeps the browsers' keys, fetches the records after the run and
checks and decrypts every one of them exactly as above (`RemotePushService.verified`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import http_ece  # type: ignore[import-untyped]
import httpx
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

    def accept(
        self, token: str, headers: Mapping[str, str], body: bytes, arrived: float
    ) -> tuple[int, str | None]:
        """A push service's checks of one POST, then its decryption: the status and why refused."""
        lowered = {k.lower(): v for k, v in headers.items()}
        with self.lock:
            browser = self.browsers.get(token)
            if token in self.gone or browser is None:
                return 410, None
            if self.failures_left.get(token, 0) > 0:
                self.failures_left[token] -= 1
                return 503, None
        if lowered.get("content-encoding") != "aes128gcm" or not lowered.get("ttl"):
            return 400, "en-têtes"
        why = verify_vapid(lowered.get("authorization", ""), self.url, self.expected_public_key)
        if why:
            return 403, why
        try:
            clear = http_ece.decrypt(
                body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
            )
        except Exception as exc:  # the test says why
            return 400, f"déchiffrement : {exc}"
        with self.lock:
            self.received.append(Received(token, json.loads(clear), dict(headers), arrived))
        return 201, None


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
            return service.accept(token, dict(self.headers), body, time.time())

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


class RemotePushService:
    """The stand-in in its own process (`python -m tests.support.push_service`): POSTs are only
    timestamped and recorded there; the browsers' keys stay here, and `verified()` checks and
    decrypts the records after the run."""

    def __init__(self, url: str, expected_public_key: str | None = None) -> None:
        self.url = url
        self.keys = PushService(url=url, expected_public_key=expected_public_key)
        self._control = httpx.Client(base_url=url, timeout=120)

    def subscribe(self) -> dict[str, Any]:
        return self.keys.subscribe()

    def wait_for(self, count: int, timeout: float = 10.0) -> int:
        """Until `count` POSTs were received (or `timeout`): how many were."""
        answer = self._control.get("/_wait", params={"count": count, "timeout": timeout})
        return int(answer.json()["count"])

    def verified(self) -> list[Received]:
        """Every recorded POST checked (VAPID, headers) and decrypted; refusals in `keys.rejected`."""
        for record in self._control.get("/_received").json():
            body = base64.b64decode(record["body"])
            status, reason = self.keys.accept(record["token"], record["headers"], body, record["at"])
            if reason or status != 201:
                self.keys.rejected.append(reason or f"HTTP {status}")
        return list(self.keys.received)

    def close(self) -> None:
        self._control.close()


@contextmanager
def push_service_process() -> Iterator[RemotePushService]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.push_service"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        remote = RemotePushService(process.stdout.readline().strip())
        try:
            yield remote
        finally:
            remote.close()
    finally:
        process.terminate()
        process.wait(10)


class _Recorder:
    """The separate process's HTTP/1.1 server (keep-alive): records POST /push/{token} at receipt."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.changed = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                arrived = time.time()
                request, *lines = head.decode("latin-1").split("\r\n")
                method, target, _ = request.split(" ", 2)
                headers = {
                    k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)
                }
                length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
                body = await reader.readexactly(length)
                status, answer = await self._answer(method, target, headers, body, arrived)
                location = f"Location: /message/{len(self.records)}\r\n" if status == 201 else ""
                writer.write(
                    f"HTTP/1.1 {status} X\r\n{location}Content-Type: application/json\r\n"
                    f"Content-Length: {len(answer)}\r\n\r\n".encode()
                    + answer
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes, arrived: float
    ) -> tuple[int, bytes]:
        path = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(path.query).items()}
        if method == "POST" and path.path.startswith("/push/"):
            token = path.path.rsplit("/", 1)[-1]
            record = {
                "token": token,
                "at": arrived,
                "headers": headers,
                "body": base64.b64encode(body).decode(),
            }
            self.records.append(record)
            self.changed.set()  # wakes every waiter of this moment; later waiters take a new one
            self.changed = asyncio.Event()
            return 201, b""
        if path.path == "/_wait":
            wanted, deadline = int(query["count"]), time.monotonic() + float(query.get("timeout", "10"))
            while len(self.records) < wanted and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self.changed.wait(), max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    break
            return 200, json.dumps({"count": len(self.records)}).encode()
        if path.path == "/_received":
            return 200, json.dumps(self.records).encode()
        return 404, b"{}"


async def _serve() -> None:
    recorder = _Recorder()
    server = await asyncio.start_server(recorder.handle, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(_serve())
    except ImportError:
        asyncio.run(_serve())
