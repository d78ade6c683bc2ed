"""The server's signing key, signed expiring tokens (the e-mail verification link) and keyed
hashes of one-time codes.

The key comes from the deployment's secret store: `CENTRALE_SIGNING_KEY` (the value),
`CENTRALE_SIGNING_KEY_FILE` (a file holding it), or `signing-key` in systemd's
`CREDENTIALS_DIRECTORY`. Without any, the server generates one and keeps it in the database's
`server_secrets` (beside the password hashes, shared by every server process, never in a plain
file, never logged): links then survive a restart.

Tokens are `<payload>.<signature>`: the payload is URL-safe base64 of compact JSON carrying the
purpose (`p`), the subject and an expiry (`e`, Unix seconds); the signature is HMAC-SHA256 over the
purpose-prefixed payload, compared in constant time. A token of another purpose never verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import ServerSecret

KEY_NAME = "signing_key"
_cached: dict[str, bytes] = {}


class BadSignature(Exception):
    """The token was not made by this server for this purpose, or it is malformed."""


class Expired(Exception):
    """The token was genuine but its time is over."""


def configured_key(environ: dict[str, str] | None = None) -> bytes | None:
    """The key the deployment gives, if any."""
    env = os.environ if environ is None else environ
    if env.get("CENTRALE_SIGNING_KEY"):
        return env["CENTRALE_SIGNING_KEY"].encode()
    path = env.get("CENTRALE_SIGNING_KEY_FILE")
    if not path and env.get("CREDENTIALS_DIRECTORY"):
        candidate = Path(env["CREDENTIALS_DIRECTORY"]) / "signing-key"
        path = str(candidate) if candidate.is_file() else None
    if path:
        return Path(path).read_bytes().strip()
    return None


def signing_key(session: Session, now: datetime) -> bytes:
    """The key: the deployment's, else the one this database generated (once, race-free)."""
    if "key" in _cached:
        return _cached["key"]
    key = configured_key()
    if key is None:
        dialect = session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ServerSecret)
        session.execute(
            insert.values(
                name=KEY_NAME, value=secrets.token_urlsafe(48), created_at=now
            ).on_conflict_do_nothing(index_elements=["name"])
        )
        stored = session.scalar(select(ServerSecret.value).where(ServerSecret.name == KEY_NAME))
        assert stored is not None
        key = stored.encode()
    _cached["key"] = key
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, purpose: str, payload: str) -> str:
    return _b64(hmac.new(key, f"{purpose}:{payload}".encode(), hashlib.sha256).digest())


def sign(key: bytes, purpose: str, subject: dict[str, Any], expires_at: datetime) -> str:
    body = {**subject, "p": purpose, "e": int(expires_at.timestamp())}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_mac(key, purpose, payload)}"


def unsign(key: bytes, purpose: str, token: str, now: datetime) -> dict[str, Any]:
    """The subject of a genuine, unexpired token of `purpose`; BadSignature or Expired otherwise."""
    payload, _, signature = token.strip().partition(".")
    if not payload or not signature or len(token) > 1000:
        raise BadSignature("malformed")
    if not hmac.compare_digest(signature, _mac(key, purpose, payload)):
        raise BadSignature("signature")
    try:
        body = json.loads(_unb64(payload))
    except (ValueError, binascii.Error) as exc:
        raise BadSignature("payload") from exc
    if not isinstance(body, dict) or body.get("p") != purpose or not isinstance(body.get("e"), int):
        raise BadSignature("payload")
    if body["e"] <= now.timestamp():
        raise Expired(purpose)
    return {k: v for k, v in body.items() if k not in ("p", "e")}


def keyed_hash(key: bytes, text: str) -> str:
    """HMAC-SHA256 of a one-time code: a copy of the database alone cannot try the million codes."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def digest(text: str) -> str:
    """SHA-256 of a long random secret (a ticket, a link's token), to find its row."""
    return hashlib.sha256(text.encode()).hexdigest()
