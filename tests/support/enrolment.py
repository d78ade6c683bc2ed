"""Test-side helpers of enrolment and password reset: a live server wired to a real local SMTP
server (STARTTLS + AUTH), the SMS read back from the demo backend's delivery rows (what
« Messages envoyés » shows), the e-mailed links read from the SMTP server, form data."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.integration.conftest import start_live
from tests.support.live import PASSWORD, LiveServer, rpps_with_key, unique_name
from tests.support.mail_fixtures import SMTP_LOGIN
from tests.support.smtp_server import Pki, SmtpServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200  # recognised by its first bytes, as documents are
PDF = b"%PDF-1.4\n" + b"0" * 200
CODE = re.compile(r"\b(\d{6})\b")
LINK = re.compile(r"(https?://\S+)")


def mail_env(mail: SmtpServer, pki: Pki, **extra: str) -> dict[str, str]:
    return {
        "CENTRALE_SMTP_HOST": mail.host,
        "CENTRALE_SMTP_PORT": str(mail.port),
        "CENTRALE_SMTP_USER": SMTP_LOGIN[0],
        "CENTRALE_SMTP_PASSWORD": SMTP_LOGIN[1],
        "CENTRALE_SMTP_CA_FILE": str(pki.ca_cert),
        **extra,
    }


def start_enrolment_server(
    kind: str, directory: Path, mail: SmtpServer, pki: Pki, **extra: str
) -> Iterator[LiveServer]:
    yield from start_live(kind, directory, **mail_env(mail, pki, **extra))


def mobile() -> str:
    """A mobile number unique in the run (06 12 xx xx xx), as the server normalises it."""
    n = secrets.randbelow(10**6)
    return f"+33612{n:06d}"


def registration_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "identifier_kind": "rpps",
        "identifier": rpps_with_key(secrets.randbelow(10**10)),
        "last_name": unique_name("Martin"),
        "first_name": "Élodie",
        "profession_code": "60",
        "phone": mobile(),
        "email": f"{secrets.token_hex(5)}@example.org",
        "commune_insee": "91228",
        "address_line": "3 rue de la Gare",
        "network_name": "CPTS du Val d'Essonne",
        "password": PASSWORD,
    }
    fields.update(overrides)
    return fields


def deliveries(server: LiveServer, channel: str, recipient: str) -> list[str]:
    """The texts queued on `channel` to `recipient`, oldest first (the demo backend's log)."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT text FROM deliveries WHERE channel = :c AND recipient = :r ORDER BY id"),
                {"c": channel, "r": recipient},
            )
            return [str(row[0]) for row in rows]
    finally:
        engine.dispose()


def last_sms_code(server: LiveServer, phone: str) -> str:
    texts = deliveries(server, "sms", phone)
    assert texts, f"aucun SMS pour {phone}"
    found = CODE.search(texts[-1])
    assert found, texts[-1]
    return found.group(1)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def mails_to(mail: SmtpServer, address: str, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
    """The messages received by the SMTP server for `address` (waits for `count` of them)."""
    deadline = time.monotonic() + timeout
    while True:
        with mail.lock:
            found = [m for m in mail.messages if address in str(m.get("To", ""))]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def link_in(message: EmailMessage) -> str:
    found = LINK.search(body_of(message))
    assert found, body_of(message)
    return found.group(1)
