"""The e-mail senders against a real SMTP server with STARTTLS (and the MSSanté relay's client
certificate), and the delivery queue's guarantees — retried, never lost, never sent twice, even
with two workers racing — on SQLite and PostgreSQL, in this process (no HTTP in between)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db import Database
from server.errors import Invalid
from server.migrate import upgrade
from server.models import Delivery
from server.notify.channels import DemoLog, Outgoing
from server.notify.config import SmtpRelay
from server.notify.deliveries import Senders, deliver_due
from server.notify.email_smtp import SmtpEmail
from server.notify.outbound import queue_email, queue_sms
from server.notify.preferences import QUIET_HOURS, decide
from tests.integration.conftest import database_url
from tests.support import postgres
from tests.support.mail_fixtures import SMTP_LOGIN
from tests.support.smtp_server import Pki, SmtpServer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = database_url(request.param, tmp_path)
    database = Database(url.replace("postgresql://", "postgresql+psycopg://"))
    upgrade(database.engine)
    try:
        yield database
    finally:
        database.dispose()
        if request.param == "postgresql":
            postgres.drop_database(url)


def _row(db: Database, delivery_id: int) -> Delivery:
    with db.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        return row


def _senders(**by_channel: object) -> Senders:
    channels = {"push": DemoLog(), "sms": DemoLog(), "email": DemoLog(), "mssante": DemoLog()}
    channels.update(by_channel)  # type: ignore[arg-type]
    return Senders(channels)  # type: ignore[arg-type]


def test_an_email_goes_through_starttls_with_login(db: Database, smtp: SmtpServer, mail_pki: Pki) -> None:
    relay = SmtpRelay(
        smtp.host, smtp.port, "Centrale <noreply@centrale.test>", *SMTP_LOGIN, ca_file=str(mail_pki.ca_cert)
    )
    with db.session() as session:
        delivery_id = queue_email(
            session,
            to="jeanne.martin@example.fr",
            subject="Votre lien",
            text="Cliquez : https://x/l/abc",
            purpose="registration_email_link",
            dedup_key="reg:1:email",
            now=NOW,
        )
    assert deliver_due(db, _senders(email=SmtpEmail(relay)), NOW) == 1
    [message] = smtp.wait_for(1)
    assert message["Subject"] == "Votre lien"
    assert message["To"] == "jeanne.martin@example.fr"
    assert "https://x/l/abc" in message.get_content()
    assert smtp.logins == ["centrale"]
    row = _row(db, delivery_id)
    assert (row.status, row.attempts, row.provider_message_id) == ("sent", 1, message["Message-ID"])


def test_the_mssante_relay_needs_the_client_certificate_and_nothing_is_lost(
    db: Database, mssante_relay: SmtpServer, mail_pki: Pki
) -> None:
    with db.session() as session:
        delivery_id = queue_email(
            session,
            to="dr.durand@medecin.mssante.fr",
            subject="Centrale : information",
            text="Une prise en charge est effectuée autour de votre patient.",
            purpose="doctor_informed",
            dedup_key="doc:1",
            now=NOW,
            relay="mssante",
        )
    without = SmtpRelay(mssante_relay.host, mssante_relay.port, ca_file=str(mail_pki.ca_cert))
    assert deliver_due(db, _senders(mssante=SmtpEmail(without)), NOW) == 1
    row = _row(db, delivery_id)
    assert (row.channel, row.status, row.attempts) == ("mssante", "failed", 1)
    assert row.next_attempt_at == NOW + timedelta(seconds=10)
    stranger = SmtpRelay(
        mssante_relay.host,
        mssante_relay.port,
        ca_file=str(mail_pki.ca_cert),
        client_cert=str(mail_pki.stranger_cert),
        client_key=str(mail_pki.stranger_key),
    )
    later = NOW + timedelta(seconds=10)
    assert deliver_due(db, _senders(mssante=SmtpEmail(stranger)), later) == 1
    assert _row(db, delivery_id).status == "failed"
    assert mssante_relay.messages == []
    relay = SmtpRelay(
        mssante_relay.host,
        mssante_relay.port,
        ca_file=str(mail_pki.ca_cert),
        client_cert=str(mail_pki.client_cert),
        client_key=str(mail_pki.client_key),
    )
    assert deliver_due(db, _senders(mssante=SmtpEmail(relay)), later + timedelta(seconds=20)) == 1
    [message] = mssante_relay.wait_for(1)
    assert message["To"] == "dr.durand@medecin.mssante.fr"
    assert "centrale.test (plateforme)" in mssante_relay.peer_certificates[0]
    assert (_row(db, delivery_id).status, _row(db, delivery_id).attempts) == ("sent", 3)


class CountingSender:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, message: Outgoing) -> str | None:
        with self.lock:
            self.sent.append(message.delivery_id)
        return None


def test_two_workers_racing_send_each_delivery_once(db: Database) -> None:
    with db.session() as session:
        ids = [
            queue_sms(
                session,
                to=f"06 12 34 {i // 100:02d} {i % 100:02d}",
                text=f"Code {i}",
                purpose="t",
                dedup_key=f"race:{i}",
                now=NOW,
            )
            for i in range(300)
        ]
        assert (
            queue_sms(session, to="06 12 34 00 00", text="Code 0", purpose="t", dedup_key="race:0", now=NOW)
            == ids[0]
        )
    other = Database(db.url)  # a second engine: another process's connections
    sender = CountingSender()
    try:
        workers = [
            threading.Thread(target=deliver_due, args=(database, _senders(sms=sender), NOW))
            for database in (db, other)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
    finally:
        other.dispose()
    assert sorted(sender.sent) == sorted(ids)
    with db.session() as session:
        assert set(session.scalars(select(Delivery.status))) == {"sent"}


def test_bad_recipients_are_refused_in_french(db: Database) -> None:
    with db.session() as session, pytest.raises(Invalid, match="Numéro du SMS"):
        queue_sms(session, to="12", text="x", purpose="t", dedup_key="bad:1", now=NOW)
    with db.session() as session, pytest.raises(Invalid, match="Adresse e-mail"):
        queue_email(
            session, to="pas-une-adresse", subject="s", text="t", purpose="t", dedup_key="bad:2", now=NOW
        )


def test_quiet_hours_silence_push_and_sms_but_not_offers_nor_email() -> None:
    windows = [{"weekday": 0, "start": "08:00", "end": "09:00"}]  # Mondays 8–9 in Paris
    monday_11_paris = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    channels = {"push": True, "sms": True, "email": True, "events": {"offer_taken": ["push", "sms", "email"]}}
    decisions = {
        d.channel: (d.send, d.reason)
        for d in decide(channels, windows, "Europe/Paris", "offer_taken", monday_11_paris)
    }
    assert decisions == {"push": (False, QUIET_HOURS), "sms": (False, QUIET_HOURS), "email": (True, None)}
    monday_8_30_paris = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert all(d.send for d in decide(channels, windows, "Europe/Paris", "offer_taken", monday_8_30_paris))
    assert all(d.send for d in decide(channels, windows, "Europe/Paris", "offer", monday_11_paris))
    defaults = {d.channel: d.send for d in decide({}, [], "Europe/Paris", "offer_taken", monday_11_paris)}
    assert defaults == {"push": True, "sms": False, "email": False}
