"""Desktop settings (platform config directory) and secrets (the OS keyring, nothing else).

Settings are a small JSON file in ``platformdirs.user_config_path("centrale")``: server URL, SIP
account (no password), audio devices, card reader. The server token and the SIP password live
only in the OS keyring. When no secure keyring exists (``keyring.backends.fail`` or ``null``, a
plain-file backend, an empty chain), ``SecretStore.status()`` says so in French and every
secret operation raises ``NoSecureKeyring``: the UI then asks for the password at each start
and keeps nothing — secrets are never written to a file as a fallback.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import keyring
import platformdirs
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from desktop.store.private_files import private_directory, private_file

log = logging.getLogger(__name__)
APP_NAME = "centrale"
SERVICE = "centrale"
SETTINGS_FILE = "settings.json"
# Backends that do not protect what they keep (they refuse, forget, or write a readable file).
_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
NO_SECURE_KEYRING = (
    "Aucun trousseau sécurisé n'est disponible sur ce poste : les mots de passe ne seront pas "
    "mémorisés et seront demandés à chaque démarrage"
)


def config_dir() -> Path:
    """``CENTRALE_CONFIG_DIR`` (tests, portable installs) or the platform's config directory."""
    override = os.environ.get("CENTRALE_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """Where the local store (drafts, outbox) and the call log live."""
    override = os.environ.get("CENTRALE_DESKTOP_DATA_DIR")
    return Path(override) if override else platformdirs.user_data_path(APP_NAME, appauthor=False)


@dataclass(slots=True)
class Settings:
    server_url: str = "http://127.0.0.1:8765"
    username: str = ""  # last login, offered again
    sip_uri: str = ""  # "sip:operateur@pbx.example"
    sip_registrar: str = ""
    sip_username: str = ""
    audio_input: str = ""  # device names; empty: the system default
    audio_output: str = ""
    audio_ring: str = ""
    card_reader: str = ""  # empty: the first reader
    notifications_off: str = ""  # desktop notices switched off: "accepted,expired,incident"

    @classmethod
    def load(cls, directory: Path | None = None) -> Settings:
        path = (directory or config_dir()) / SETTINGS_FILE
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            log.warning("settings file %s unreadable: defaults used (it is rewritten on the next save)", path)
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{key: str(value) for key, value in data.items() if key in known})

    def save(self, directory: Path | None = None) -> Path:
        """Written to a temporary file then renamed: a crash never leaves half a file."""
        folder = private_directory(directory or config_dir())  # 0700, its files 0600
        path = folder / SETTINGS_FILE
        temporary = private_file(path.with_suffix(".tmp"))
        temporary.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")
        temporary.replace(path)
        return path


class KeyringStatus(StrEnum):
    SECURE = "secure"
    NO_SECURE_KEYRING = "no_secure_keyring"


class NoSecureKeyring(RuntimeError):
    """No secure keyring: the secret is not kept (``str()`` is the French explanation)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(NO_SECURE_KEYRING + (f" ({detail})" if detail else ""))


def backend_is_secure(backend: KeyringBackend) -> bool:
    module = type(backend).__module__
    if module.startswith(_INSECURE_MODULES):
        return False
    children = getattr(backend, "backends", None)
    if children is not None:  # the chainer: secure only if one of its backends is
        return any(backend_is_secure(child) for child in children)
    return float(getattr(backend, "priority", 0)) > 0


class SecretStore:
    """The server token (per server and user) and the SIP password (per SIP account)."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self.backend = backend or keyring.get_keyring()

    def status(self) -> KeyringStatus:
        return KeyringStatus.SECURE if backend_is_secure(self.backend) else KeyringStatus.NO_SECURE_KEYRING

    def status_message(self) -> str:
        if self.status() is KeyringStatus.SECURE:
            return "Mots de passe conservés dans le trousseau du système"
        return NO_SECURE_KEYRING

    def _checked(self) -> KeyringBackend:
        if self.status() is not KeyringStatus.SECURE:
            raise NoSecureKeyring(type(self.backend).__name__)
        return self.backend

    @staticmethod
    def token_key(server_url: str, username: str) -> str:
        return f"token:{username}@{server_url.rstrip('/')}"

    @staticmethod
    def sip_key(sip_uri: str) -> str:
        return f"sip:{sip_uri}"

    def get(self, key: str) -> str | None:
        try:
            return self._checked().get_password(SERVICE, key)
        except KeyringError as exc:
            raise NoSecureKeyring(str(exc)) from exc

    def set(self, key: str, secret: str) -> None:
        try:
            self._checked().set_password(SERVICE, key, secret)
        except KeyringError as exc:
            raise NoSecureKeyring(str(exc)) from exc

    def delete(self, key: str) -> None:
        try:
            self._checked().delete_password(SERVICE, key)
        except PasswordDeleteError:
            return  # nothing was kept: already the wanted outcome
        except KeyringError as exc:
            raise NoSecureKeyring(str(exc)) from exc


# ---- the settings dialog's rules (Qt-free) ----------------------------------------------------------
SIP_URI = re.compile(r"^sips?:[^@\s:;]+@[A-Za-z0-9.\-\[\]:]+(;[^\s]*)?$")
SIP_HOST = re.compile(r"^sips?:([^@\s:;]+@)?[A-Za-z0-9.\-\[\]]+(:\d{1,5})?(;[^\s]*)?$")
# What each setting changes, and when it applies (read once by the application at start).
RESTART_NOTES = {
    "server_url": "le serveur central : à la prochaine connexion",
    "sip_uri": "le compte SIP : au prochain démarrage de Centrale",
    "sip_registrar": "le compte SIP : au prochain démarrage de Centrale",
    "sip_username": "le compte SIP : au prochain démarrage de Centrale",
    "sip_password": "le compte SIP : au prochain démarrage de Centrale",
    "audio_input": "les périphériques audio : au prochain démarrage de Centrale",
    "audio_output": "les périphériques audio : au prochain démarrage de Centrale",
    "audio_ring": "les périphériques audio : au prochain démarrage de Centrale",
    "card_reader": "le lecteur de carte : au prochain démarrage de Centrale",
}


def check_server_url(text: str) -> str:
    """« http(s)://hôte[:port] », without a trailing slash; ``ValueError`` in French otherwise."""
    url = text.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Adresse du serveur invalide : http://hôte:port ou https://hôte attendu")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise ValueError("Port du serveur invalide (1 à 65535)") from None
    if parts.query or parts.fragment:
        raise ValueError("Adresse du serveur invalide : ni « ? » ni « # »")
    return url


def sip_errors(uri: str, registrar: str, username: str) -> dict[str, str]:
    """The SIP account is optional; once begun, the URI and the registrar must be well formed."""
    errors: dict[str, str] = {}
    uri, registrar, username = uri.strip(), registrar.strip(), username.strip()
    if not (uri or registrar or username):
        return errors
    if not SIP_URI.match(uri):
        errors["sip_uri"] = "Adresse SIP invalide : sip:utilisateur@domaine attendu"
    if registrar and not SIP_HOST.match(registrar):
        errors["sip_registrar"] = "Serveur d'enregistrement invalide : sip:domaine[:port] attendu"
    if not username and SIP_URI.match(uri):
        errors["sip_username"] = "Identifiant SIP obligatoire avec un compte SIP"
    return errors


def restart_notes(before: Settings, after: Settings, *, password_changed: bool = False) -> list[str]:
    """In French, what the saved change applies to and when (each note once)."""
    changed = [f.name for f in fields(Settings) if getattr(before, f.name) != getattr(after, f.name)]
    if password_changed:
        changed.append("sip_password")
    return list(dict.fromkeys(RESTART_NOTES[name] for name in changed if name in RESTART_NOTES))
