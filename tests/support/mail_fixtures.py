"""Fixtures for the e-mail channels: a test PKI, an SMTP server with STARTTLS, the MSSanté relay.

Import them in a conftest (`from tests.support.mail_fixtures import mail_pki, smtp, mssante_relay`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.smtp_server import Pki, SmtpServer, make_pki, smtp_server

SMTP_LOGIN = ("centrale", "mot-de-passe-smtp-de-test")


@pytest.fixture(scope="session")
def mail_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA, the server's certificate and two client certificates, generated for this run."""
    return make_pki(tmp_path_factory.mktemp("mail-pki"))


@pytest.fixture
def smtp(mail_pki: Pki) -> Iterator[SmtpServer]:
    """The ordinary SMTP server: STARTTLS required, then AUTH with `SMTP_LOGIN`."""
    with smtp_server(mail_pki, credentials=SMTP_LOGIN) as server:
        yield server


@pytest.fixture
def mssante_relay(mail_pki: Pki) -> Iterator[SmtpServer]:
    """The MSSanté operator's relay: STARTTLS with a client certificate signed by the test CA."""
    with smtp_server(mail_pki, require_client_certificate=True) as server:
        yield server
