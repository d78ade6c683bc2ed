"""Web Push message encryption (RFC 8291, « aes128gcm » of RFC 8188), for server/notify/push.py.

A new ECDH key pair per message, the secret derived with HMAC-SHA-256 (HKDF's extract and
one-block expand, exactly as the RFC's section 3.4 writes them), one record. Written here on
`cryptography`'s primitives rather than through http_ece's generic code: half the time per
message, and the subscription's public key is parsed once per subscription (cached), not once
per message. The tests decrypt it with http_ece (tests/support/push_service.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

RECORD_SIZE = 4096
_KEY_INFO = b"WebPush: info\x00"
_CEK_INFO = b"Content-Encoding: aes128gcm\x00\x01"
_NONCE_INFO = b"Content-Encoding: nonce\x00\x01"


class BadSubscriptionKeys(ValueError):
    """The subscription's p256dh or auth cannot be used (not a P-256 point, not 16 bytes)."""


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=4096)
def _browser_key(p256dh: str, auth: str) -> tuple[ec.EllipticCurvePublicKey, bytes, bytes]:
    """The browser's public key (parsed once per subscription), its raw point and auth secret."""
    try:
        point, secret = _b64url_decode(p256dh), _b64url_decode(auth)
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise BadSubscriptionKeys(str(exc)) from exc
    if len(point) != 65 or len(secret) != 16:
        raise BadSubscriptionKeys("p256dh ou auth de longueur inattendue")
    return key, point, secret


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """RFC 8291 §3.4: the body of the push POST (`Content-Encoding: aes128gcm`)."""
    browser, browser_point, auth_secret = _browser_key(p256dh, auth)
    sender = ec.generate_private_key(ec.SECP256R1())
    sender_point = sender.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    shared = sender.exchange(ec.ECDH(), browser)
    ikm = _hmac(_hmac(auth_secret, shared), _KEY_INFO + browser_point + sender_point + b"\x01")
    salt = os.urandom(16)
    prk = _hmac(salt, ikm)
    cek, nonce = _hmac(prk, _CEK_INFO)[:16], _hmac(prk, _NONCE_INFO)[:12]
    if len(payload) + 17 > RECORD_SIZE:
        raise BadSubscriptionKeys("message trop long pour un seul enregistrement")
    ciphertext = AESGCM(cek).encrypt(nonce, payload + b"\x02", None)  # \x02: the last record
    return salt + struct.pack("!IB", RECORD_SIZE, len(sender_point)) + sender_point + ciphertext
