"""The desktop's own softphone, Qt-free: planned from the settings, created after login, started,
registered, stopped on exit — and never a crash when something is missing.

``plan_from_settings`` reads the SIP account of the settings (the password from the OS keyring);
``demo_plan`` is the demo's: direct calls on a free UDP port of 127.0.0.1, no registrar.
``SoftphoneService`` creates the softphone with the factory the composition root chose
(``desktop.app``: pjsua2, or the fake; ``None`` when pjsua2 is not installed), starts it,
registers the account and keeps a French ``status`` for the status bar. Registration progress
(registered, retrying while the registrar is down, refused) then comes as ``RegistrationChanged``
events from the softphone itself.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from desktop.settings import NoSecureKeyring, SecretStore, Settings
from telephony.api import PhoneError, Softphone
from telephony.config import AudioDevices, PhoneConfig, SipAccount
from telephony.sip_identity import uri_host, uri_hostport, uri_user

log = logging.getLogger(__name__)

NOT_CONFIGURED = "Téléphonie : aucun compte SIP dans les réglages"
NO_PJSUA2 = "Téléphonie : indisponible sur ce poste (module pjsua2 absent)"
REGISTERING = "Téléphonie : enregistrement…"
STOPPED = "Téléphonie : arrêtée"
DEMO_STATUS = "Téléphonie : démonstration, appels simulés sur ce poste"

SoftphoneFactory = Callable[[PhoneConfig], Softphone]  # ImportError: this adapter is not installed


@dataclass(frozen=True, slots=True)
class PhonePlan:
    """What to start: ``config`` None means no phone (``status`` says why, in French)."""

    config: PhoneConfig | None
    account: SipAccount | None = None  # None with a config: direct calls only (the demo)
    password: str = field(default="", repr=False)
    status: str = NOT_CONFIGURED
    notice: str = ""  # a detail for the status bar's tooltip (password not in the keyring…)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _audio(settings: Settings) -> AudioDevices:
    return AudioDevices(
        input=settings.audio_input or None,
        output=settings.audio_output or None,
        ring=settings.audio_ring or None,
    )


def plan_from_settings(settings: Settings, secrets: SecretStore) -> PhonePlan:
    """The SIP account of the settings; its password from the keyring (never from a file)."""
    uri = settings.sip_uri.strip()
    if not uri:
        return PhonePlan(None, status=NOT_CONFIGURED)
    if not uri.lower().startswith(("sip:", "sips:")) or not uri_hostport(uri) or "@" not in uri:
        return PhonePlan(None, status=f"Téléphonie : adresse SIP invalide dans les réglages ({uri})")
    registrar = settings.sip_registrar.strip() or f"sip:{uri_hostport(uri)}"
    if not registrar.lower().startswith(("sip:", "sips:")):
        registrar = f"sip:{registrar}"
    username = settings.sip_username.strip() or uri_user(uri)
    notice = ""
    try:
        password = secrets.get(SecretStore.sip_key(uri))
    except NoSecureKeyring as exc:
        password, notice = None, str(exc)
    if password is None:
        # a PBX may authenticate by address; one that asks for a password refuses, and says so
        notice = notice or "Mot de passe SIP absent du trousseau : saisissez-le dans les réglages"
    host = uri_host(registrar)
    config = PhoneConfig(
        bind_address="127.0.0.1" if _is_loopback(host) else "0.0.0.0",  # noqa: S104 - a softphone
        port=0,  # any free port: the registration tells the PBX where to reach us
        audio=_audio(settings),
        local_user=uri_user(uri),
    )
    account = SipAccount(uri, registrar, username)
    return PhonePlan(config, account, password or "", REGISTERING, notice)


def demo_plan(user: str, *, null_audio: bool = False) -> PhonePlan:
    """The demo: a local account, no registrar, direct calls on a free UDP port of 127.0.0.1."""
    config = PhoneConfig(bind_address="127.0.0.1", port=0, local_user=user, null_audio=null_audio)
    return PhonePlan(config, None, "", "Téléphonie : démarrage…")


class SoftphoneService:
    """Owns the session's softphone: ``create()`` before the session (its listeners are added
    then), ``await start()`` once the main window shows, ``await stop()`` on exit."""

    def __init__(self, plan: PhonePlan, factory: SoftphoneFactory) -> None:
        self.plan = plan
        self.factory = factory
        self.softphone: Softphone | None = None
        self.status = plan.status
        self.started = False

    def create(self) -> Softphone | None:
        """The softphone, or None (no account, no pjsua2): the desktop then works without phone."""
        if self.plan.config is None:
            return None
        if self.softphone is None:
            try:
                self.softphone = self.factory(self.plan.config)
            except ImportError as exc:
                log.warning("no softphone: %s", exc)
                self.status = NO_PJSUA2
        return self.softphone

    @property
    def local_port(self) -> int:
        """The UDP port the softphone listens on (0 before start)."""
        return int(getattr(self.softphone, "local_port", 0) or 0)

    @property
    def sip_user(self) -> str | None:
        """The user part of the registered account (the AOR Kamailio rings); None for direct calls."""
        return uri_user(self.plan.account.uri) if self.plan.account is not None else None

    @property
    def direct_only(self) -> bool:
        return self.plan.config is not None and self.plan.account is None

    async def start(self) -> str:
        """Starts and registers; never raises: the French outcome is in ``status`` (and returned)."""
        phone = self.softphone
        if phone is None:
            return self.status
        try:
            await phone.start()
        except PhoneError as exc:
            self.status = f"Téléphonie : hors service — {exc}"
            return self.status
        except Exception as exc:  # a pjsua2 failure must never take the desktop down
            log.exception("softphone start failed")
            self.status = f"Téléphonie : hors service — le téléphone n'a pas pu démarrer ({exc})"
            return self.status
        self.started = True
        if self.plan.account is None:
            self.status = DEMO_STATUS  # the local port is for the demo's caller, not for the operator
            return self.status
        try:
            await phone.register(self.plan.account, self.plan.password)
        except PhoneError as exc:
            self.status = f"Téléphonie : inscription impossible — {exc}"
            return self.status
        self.status = REGISTERING
        return self.status

    async def stop(self) -> None:
        """Calls hung up, account unregistered, pjsua2 destroyed (the adapter's shutdown order)."""
        phone, started = self.softphone, self.started
        self.started = False
        if phone is None or not started:
            return
        try:
            await phone.stop()
        except Exception:
            log.exception("softphone stop failed")
        self.status = STOPPED
