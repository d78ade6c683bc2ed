"""Server settings, read from the environment once at start."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url

from server.insi import FAKE, InsiSettingError, teleservice_for
from server.notify.config import NotifySettings, NotifySettingsError
from server.notify.webhook_policy import WebhookPolicy
from server.security.login_limits import LoginLimits

DEFAULT_TOKEN_TTL_MINUTES = 12 * 60  # one hotline shift
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
TELEPHONY_TOKEN_MIN = 16


class SettingsError(RuntimeError):
    """The environment asks for something unsafe or impossible."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    test_clock: bool = False
    # « Messages envoyés » (/pro/demo/messages) lists the SMS and e-mails kept by the demo log backend:
    # public by design, so only on a demo or test server (`centrale-server demo` sets it), never beside
    # a remote PostgreSQL.
    demo_messages: bool = False
    token_ttl_minutes: int = DEFAULT_TOKEN_TTL_MINUTES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    scheduler_interval: float = 1.0
    live_poll_seconds: float = 2.0
    # The notification channels (SMS provider, SMTP and MSSanté relays, VAPID): server/notify/config.py
    notify: NotifySettings = field(default_factory=NotifySettings)
    # The INSi teleservice's adapter (server/insi/): "" none, "fake" the tests' and demo's, or
    # "package.module:factory" for a deployment's CNDA-approved connection.
    insi: str = ""
    # The login limits' ceilings (server/security/login_limits.py, docs/server.md « Login limits »)
    login: LoginLimits = field(default_factory=LoginLimits)
    # Where webhooks may point (server/notify/webhook_policy.py): HTTPS to public addresses by default.
    webhooks: WebhookPolicy = field(default_factory=WebhookPolicy)
    # Kamailio's and the queue holder's shared secret (`X-Centrale-Telephony-Token`, docs/hotline.md);
    # "" leaves the /telephony/ routes out (404).
    telephony_token: str = ""

    @property
    def database_kind(self) -> str:
        return "postgresql" if make_url(self.database_url).get_backend_name() == "postgresql" else "sqlite"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("CENTRALE_DATA_DIR") or platformdirs.user_data_dir("centrale", "Centrale"))
        url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'centrale.sqlite3'}"
        settings = cls(
            database_url=_sqlalchemy_url(url),
            data_dir=data_dir,
            test_clock=env.get("CENTRALE_TEST_CLOCK", "") == "1",
            demo_messages=env.get("CENTRALE_DEMO_MESSAGES", "") == "1",
            token_ttl_minutes=int(env.get("CENTRALE_TOKEN_TTL_MINUTES", DEFAULT_TOKEN_TTL_MINUTES)),
            max_body_bytes=int(env.get("CENTRALE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
            scheduler_interval=float(env.get("CENTRALE_SCHEDULER_INTERVAL", "1.0")),
            live_poll_seconds=float(env.get("CENTRALE_LIVE_POLL_SECONDS", "2.0")),
            notify=_notify_settings(env),
            login=_login_limits(env),
            webhooks=WebhookPolicy.from_env(env),
            insi=env.get("CENTRALE_INSI", ""),
            telephony_token=env.get("CENTRALE_TELEPHONY_TOKEN", "").strip(),
        )
        settings.check()
        return settings

    def check(self) -> None:
        host = make_url(self.database_url).host or "localhost"
        remote = self.database_kind == "postgresql" and host not in ("localhost", "127.0.0.1", "::1")
        if self.test_clock and remote:
            raise SettingsError(
                "CENTRALE_TEST_CLOCK=1 est refusé avec une base PostgreSQL distante "
                f"({host}) : l'horloge de test n'est permise qu'en local."
            )
        if self.demo_messages and remote:
            raise SettingsError(
                "CENTRALE_DEMO_MESSAGES=1 est refusé avec une base PostgreSQL distante "
                f"({host}) : la page publique des messages de démonstration n'est permise qu'en local."
            )
        if self.webhooks.allow_http and remote:
            raise SettingsError(
                "CENTRALE_WEBHOOKS_ALLOW_HTTP=1 est refusé avec une base PostgreSQL distante "
                f"({host}) : les webhooks en clair ne sont permis qu'en test ou en démonstration."
            )
        if self.insi == FAKE and remote:
            raise SettingsError(
                f"CENTRALE_INSI=fake est refusé avec une base PostgreSQL distante ({host}) : "
                "le faux téléservice INSi n'est permis qu'en test ou en démonstration."
            )
        try:
            teleservice_for(self.insi)
        except InsiSettingError as exc:
            raise SettingsError(str(exc)) from exc
        if self.token_ttl_minutes <= 0:
            raise SettingsError("CENTRALE_TOKEN_TTL_MINUTES doit être positif")
        if self.telephony_token and len(self.telephony_token) < TELEPHONY_TOKEN_MIN:
            raise SettingsError(
                f"CENTRALE_TELEPHONY_TOKEN doit compter au moins {TELEPHONY_TOKEN_MIN} caractères"
            )


def _notify_settings(env: dict[str, str]) -> NotifySettings:
    try:
        return NotifySettings.from_env(env)
    except NotifySettingsError as exc:
        raise SettingsError(str(exc)) from exc


def _login_limits(env: dict[str, str]) -> LoginLimits:
    try:
        return LoginLimits.from_env(env)
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc


def _sqlalchemy_url(url: str) -> str:
    """Accept the usual `postgresql://` / `postgres://` forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
