"""The notification channels' settings, read from the environment once at start.

Secrets (the SMS provider's API key, the SMTP password, the MSSanté client key, the VAPID private
key) come from the deployment's secret store and nothing else: a variable holding the value, a
`…_FILE` variable naming a file, or a file of that name in systemd's `CREDENTIALS_DIRECTORY`.
They are never logged and the server never writes them to a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

BREVO_SMS_URL = "https://api.brevo.com/v3/transactionalSMS/sms"


class NotifySettingsError(RuntimeError):
    """A channel is configured in a way that cannot work (said in French)."""


def read_secret(env: Mapping[str, str], name: str, credential: str) -> str | None:
    """`name` itself, else the file named by `name_FILE`, else `$CREDENTIALS_DIRECTORY/credential`."""
    if env.get(name):
        return env[name]
    path = env.get(f"{name}_FILE")
    if not path and env.get("CREDENTIALS_DIRECTORY"):
        candidate = Path(env["CREDENTIALS_DIRECTORY"]) / credential
        path = str(candidate) if candidate.is_file() else None
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise NotifySettingsError(f"Secret {name} illisible ({path}) : {exc.strerror}") from exc


@dataclass(frozen=True)
class SmtpRelay:
    """An SMTP server reached with STARTTLS; `client_cert`/`client_key` for the MSSanté relay."""

    host: str
    port: int = 587
    sender: str = "Centrale <ne-pas-repondre@centrale.invalid>"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None  # trust this CA instead of the system's (a private relay, the tests)
    client_cert: str | None = None
    client_key: str | None = field(default=None, repr=False)  # a path: the key itself stays in its file
    timeout: float = 10.0


@dataclass(frozen=True)
class NotifySettings:
    sms_provider: str = "demo"  # "demo" (the delivery row is the log) or "brevo"
    sms_api_url: str = BREVO_SMS_URL
    sms_api_key: str | None = field(default=None, repr=False)
    sms_sender: str = "Centrale"
    smtp: SmtpRelay | None = None  # None: the demo log backend
    mssante: SmtpRelay | None = None  # None: the demo log backend
    vapid_private_key: str | None = field(
        default=None, repr=False
    )  # PEM; None: generated, kept in the database
    vapid_subject: str = "mailto:support@centrale.invalid"
    push_threads: int = 16
    # The professionals' web app's public address, for links in messages (push click, e-mails).
    public_url: str = ""
    # False (CENTRALE_NOTIFY_WORKER=0): this process queues but never plans nor sends; another
    # server process of the same database does, woken by its commits through the live hub.
    worker: bool = True

    @property
    def demo_log(self) -> bool:
        """Some channel writes to the demo log instead of the world (« Messages envoyés » exists)."""
        return self.sms_provider == "demo" or self.smtp is None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NotifySettings:
        env = dict(os.environ if environ is None else environ)
        provider = env.get("CENTRALE_SMS_PROVIDER", "demo").strip().lower() or "demo"
        if provider not in ("demo", "brevo"):
            raise NotifySettingsError(f"CENTRALE_SMS_PROVIDER inconnu : {provider} (demo ou brevo)")
        api_key = read_secret(env, "CENTRALE_SMS_API_KEY", "sms_api_key")
        if provider == "brevo" and not api_key:
            raise NotifySettingsError("CENTRALE_SMS_PROVIDER=brevo demande la clé CENTRALE_SMS_API_KEY")
        return cls(
            sms_provider=provider,
            sms_api_url=env.get("CENTRALE_SMS_API_URL", BREVO_SMS_URL),
            sms_api_key=api_key,
            sms_sender=env.get("CENTRALE_SMS_SENDER", "Centrale")[:11],
            smtp=_relay(env, "SMTP", "smtp"),
            mssante=_relay(env, "MSSANTE", "mssante"),
            vapid_private_key=read_secret(env, "CENTRALE_VAPID_PRIVATE_KEY", "vapid_private_key"),
            vapid_subject=env.get("CENTRALE_VAPID_SUBJECT", "mailto:support@centrale.invalid"),
            push_threads=int(env.get("CENTRALE_PUSH_THREADS", "16")),
            public_url=env.get("CENTRALE_PUBLIC_URL", "").rstrip("/"),
            worker=env.get("CENTRALE_NOTIFY_WORKER", "1").strip().lower() not in ("0", "false", "non", "no"),
        )


def _relay(env: Mapping[str, str], kind: str, credential: str) -> SmtpRelay | None:
    host = env.get(f"CENTRALE_{kind}_HOST")
    if not host:
        return None
    cert = env.get(f"CENTRALE_{kind}_CLIENT_CERT") or None
    key = env.get(f"CENTRALE_{kind}_CLIENT_KEY_FILE") or None
    if key is None and env.get("CREDENTIALS_DIRECTORY"):
        candidate = Path(env["CREDENTIALS_DIRECTORY"]) / f"{credential}_client_key"
        key = str(candidate) if candidate.is_file() else None
    if kind == "MSSANTE" and not (cert and key):
        raise NotifySettingsError(
            "Le relais MSSanté demande un certificat client : CENTRALE_MSSANTE_CLIENT_CERT et "
            "CENTRALE_MSSANTE_CLIENT_KEY_FILE (ou mssante_client_key dans CREDENTIALS_DIRECTORY)"
        )
    return SmtpRelay(
        host=host,
        port=int(env.get(f"CENTRALE_{kind}_PORT", "587")),
        sender=env.get(f"CENTRALE_{kind}_FROM", SmtpRelay.sender),
        username=env.get(f"CENTRALE_{kind}_USER") or None,
        password=read_secret(env, f"CENTRALE_{kind}_PASSWORD", f"{credential}_password"),
        ca_file=env.get(f"CENTRALE_{kind}_CA_FILE") or None,
        client_cert=cert,
        client_key=key,
    )
