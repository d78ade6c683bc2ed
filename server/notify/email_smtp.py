"""E-mail over SMTP with STARTTLS (the standard library's smtplib), a login when configured.

The MSSanté relay is the same with a client certificate and key (`load_cert_chain`), as MSSanté
clients do with their operator's relay. The server certificate is always verified (the system's
CAs, or `ca_file` for a private relay). No TLS, no mail: STARTTLS is required.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from server.notify.channels import Outgoing, SendFailed
from server.notify.config import SmtpRelay


class SmtpEmail:
    def __init__(self, relay: SmtpRelay) -> None:
        self._relay = relay
        self._context = ssl.create_default_context(cafile=relay.ca_file)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2
        if relay.client_cert and relay.client_key:
            self._context.load_cert_chain(relay.client_cert, relay.client_key)

    def send(self, message: Outgoing) -> str | None:
        relay = self._relay
        mail = EmailMessage()
        mail["From"] = relay.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject or "Centrale"
        mail["Date"] = formatdate(localtime=False)
        message_id = make_msgid(domain=relay.sender.rsplit("@", 1)[-1].strip(">") or None)
        mail["Message-ID"] = message_id
        mail.set_content(message.text)
        try:
            with smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout) as smtp:
                smtp.ehlo()
                smtp.starttls(context=self._context)
                smtp.ehlo()
                if relay.username and relay.password:
                    smtp.login(relay.username, relay.password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed(f"destinataire refusé par le relais : {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed(f"authentification SMTP refusée ({exc.smtp_code})") from exc
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise SendFailed(f"relais SMTP : {type(exc).__name__}: {exc}"[:300]) from exc
        if refused:
            raise SendFailed(f"destinataire refusé par le relais : {sorted(refused)}", permanent=True)
        return message_id
