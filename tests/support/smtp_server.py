"""A real SMTP server on loopback (aiosmtpd) speaking STARTTLS, for the e-mail and MSSanté tests.

`make_pki(directory)` writes, at fixture time, a test CA, a server certificate for 127.0.0.1 and
localhost signed by it, a client certificate signed by it (what the MSSanté operator issues to a
platform) and a client certificate from another CA (refused). `smtp_server(pki, …)` serves:
STARTTLS required before MAIL, optional AUTH LOGIN/PLAIN (only over TLS), and, with
`require_client_certificate=True`, a TLS handshake that fails without a certificate signed by
the test CA (the MSSanté relay). Received messages are parsed into `email.message.Message`s.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpProtocol
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.support.server_process import free_port


@dataclass(frozen=True)
class Pki:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    stranger_cert: Path  # a client certificate from another CA: refused by the relay
    stranger_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)


def _ca(common_name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _leaf(
    common_name: str,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
    *,
    server: bool,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()), critical=False
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer[1], hashes.SHA256()), key


def make_pki(directory: Path) -> Pki:
    directory.mkdir(parents=True, exist_ok=True)
    ca = _ca("Centrale test CA (opérateur MSSanté de test)")
    stranger_ca = _ca("Another CA")
    paths: dict[str, Path] = {}
    for label, (cert, key) in {
        "server": _leaf("127.0.0.1", ca, server=True),
        "client": _leaf("centrale.test (plateforme)", ca, server=False),
        "stranger": _leaf("stranger.test", stranger_ca, server=False),
    }.items():
        paths[f"{label}_cert"] = directory / f"{label}.crt"
        paths[f"{label}_key"] = directory / f"{label}.key"
        paths[f"{label}_cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, paths[f"{label}_key"])
    ca_path = directory / "ca.crt"
    ca_path.write_bytes(ca[0].public_bytes(serialization.Encoding.PEM))
    return Pki(ca_cert=ca_path, **paths)


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    peer_certificates: list[str] = field(default_factory=list)  # the client certificates' subjects
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: SmtpProtocol, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        peer = ""
        transport: Any = session.ssl  # the SSL object's info once STARTTLS is done
        if transport:
            peer = str(transport.get("peercert") or "")
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
            if peer:
                self.server.peer_certificates.append(peer)
        return "250 Message accepted for delivery"


def _server_context(pki: Pki, require_client_certificate: bool) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(pki.server_cert, pki.server_key)
    if require_client_certificate:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki.ca_cert)
    return context


class _Controller(Controller):
    def __init__(self, handler: _Handler, context: ssl.SSLContext, **kwargs: Any) -> None:
        self._tls = context
        super().__init__(handler, **kwargs)

    def factory(self) -> SmtpProtocol:
        return SmtpProtocol(
            self.handler,
            tls_context=self._tls,
            require_starttls=True,
            **self.SMTP_kwargs,
        )


@contextmanager
def smtp_server(
    pki: Pki,
    *,
    require_client_certificate: bool = False,
    credentials: tuple[str, str] | None = None,
) -> Iterator[SmtpServer]:
    """Serve on a free loopback port until the block ends."""
    server = SmtpServer("127.0.0.1", free_port())
    extra: dict[str, Any] = {}
    if credentials is not None:

        def authenticate(
            _server: SmtpProtocol, _session: Session, _envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            given = (data.login.decode(), data.password.decode()) if isinstance(data, LoginPassword) else None
            ok = given == credentials
            if ok:
                with server.lock:
                    server.logins.append(data.login.decode())
            return AuthResult(success=ok)

        extra = {"authenticator": authenticate, "auth_required": True, "auth_require_tls": True}
    controller = _Controller(
        _Handler(server),
        _server_context(pki, require_client_certificate),
        hostname="127.0.0.1",
        port=server.port,
        **extra,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
