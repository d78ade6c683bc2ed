"""The SIP account and its registration: digest auth, back-off retries, address changes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from telephony import registration
from telephony.config import PhoneConfig, SipAccount
from telephony.network_watch import AddressWatch, source_address_towards
from telephony.pjsua2_adapter.engine import Engine, never_raises
from telephony.sip_identity import uri_host, uri_hostport

if TYPE_CHECKING:
    from telephony.pjsua2_adapter.phone import Phone

log = logging.getLogger(__name__)
NO_ANSWER_SECONDS = 3.0


class PhoneAccount(pj.Account):  # type: ignore[misc]  # pjsua2 has no type information
    def __init__(self, phone: Phone, keeper: Registration | None) -> None:
        super().__init__()
        self.phone = phone
        self.keeper = keeper

    @never_raises
    def onRegState(self, prm: Any) -> None:
        if self.keeper is not None:
            self.keeper.state_changed(self, int(prm.code), str(prm.reason))

    @never_raises
    def onIncomingCall(self, prm: Any) -> None:
        self.phone.incoming_call(self, prm)


def account_config(config: PhoneConfig, uri: str) -> Any:
    cfg = pj.AccountConfig()
    cfg.idUri = uri
    media = cfg.mediaConfig.transportConfig
    media.port = 0
    media.boundAddress = config.bind_address
    if config.public_address:
        media.publicAddress = config.public_address
    return cfg


class Registration:
    """Keeps one account registered: retries with back-off, re-registers after address changes."""

    def __init__(self, engine: Engine, phone: Phone) -> None:
        self._engine = engine
        self._phone = phone
        self.account: PhoneAccount | None = None
        self.settings: SipAccount | None = None
        self._backoff = registration.Backoff()
        self._retry_timer: int | None = None
        self._leaving = False
        self._watchdog: int | None = None
        self._watch: AddressWatch | None = None
        self._next_check = 0.0

    def register(self, settings: SipAccount, password: str) -> None:
        self.shutdown()
        cfg = account_config(self._engine.config, settings.uri)
        if settings.display_name:
            cfg.idUri = f'"{settings.display_name}" <{settings.uri}>'
        cfg.regConfig.registrarUri = settings.registrar
        cfg.regConfig.timeoutSec = settings.expires_seconds
        cfg.regConfig.retryIntervalSec = 0  # our own back-off, with a status the operator sees
        cfg.regConfig.delayBeforeRefreshSec = max(1, min(5, settings.expires_seconds // 3))
        cfg.sipConfig.authCreds.append(
            pj.AuthCredInfo("digest", settings.realm, settings.username, 0, password)
        )
        self.settings = settings
        self._leaving = False
        self._backoff.reset()
        self._phone.emit(registration.registering())
        account = PhoneAccount(self._phone, self)
        self.account = account
        account.create(cfg)
        self._expect_answer(NO_ANSWER_SECONDS)
        host = uri_host(settings.registrar)
        self._watch = AddressWatch(lambda: source_address_towards(host))

    def state_changed(self, account: PhoneAccount, code: int, reason: str) -> None:
        if account is not self.account:
            return
        info = account.getInfo()
        if self._leaving:
            if not info.regIsActive:
                self._phone.emit(registration.unregistered(code, reason))
            return
        if 200 <= code < 300 and info.regIsActive:
            self._backoff.reset()
            self._expect_answer(int(info.regExpiresSec) + NO_ANSWER_SECONDS)
            self._phone.emit(registration.registered(code, reason, settings_expires(self.settings)))
        elif code in registration.AUTH_CODES:
            self._engine.cancel(self._watchdog)
            self._phone.emit(registration.auth_failed(code, reason))
        else:
            self._engine.cancel(self._watchdog)
            delay = self._backoff.next_delay()
            self._phone.emit(registration.retrying(code, reason, delay))
            self._engine.cancel(self._retry_timer)
            self._retry_timer = self._engine.schedule(delay, self._retry)

    def _retry(self) -> None:
        self._retry_timer = None
        if self.account is not None and not self._leaving:
            self._phone.emit(registration.registering())
            self.account.setRegistration(True)
            self._expect_answer(NO_ANSWER_SECONDS)

    def _expect_answer(self, seconds: float) -> None:
        """pjsip only gives up on an unanswered REGISTER after 32 s (timer F) but keeps repeating
        it; meanwhile the operator must see at once that the phone is out of service."""
        self._engine.cancel(self._watchdog)
        self._watchdog = self._engine.schedule(seconds, self._no_answer)

    def _no_answer(self) -> None:
        self._watchdog = None
        if self.account is not None and not self._leaving:
            self._phone.emit(registration.retrying(408, "Request Timeout", None))

    def unregister(self) -> None:
        self._engine.cancel(self._retry_timer)
        self._engine.cancel(self._watchdog)
        if self.account is not None:
            self._leaving = True
            self.account.setRegistration(False)

    def network_changed(self) -> None:
        """Rebinds the transports and re-registers (pjsua2's IP change handling)."""
        if self.account is not None and not self._leaving:
            self._phone.emit(registration.registering())
        self._engine.ep.handleIpChange(pj.IpChangeParam())

    def check_network(self, now: float) -> None:
        """Called every turn; probes the local address every ``network_check_seconds``."""
        interval = self._engine.config.network_check_seconds
        if self._watch is None or interval <= 0 or now < self._next_check:
            return
        self._next_check = now + interval
        if self._watch.check():
            log.info("local address changed to %s: re-registering", self._watch.address)
            self.network_changed()

    def shutdown(self) -> None:
        self._engine.cancel(self._retry_timer)
        self._engine.cancel(self._watchdog)
        if self.account is not None:
            self._leaving = True
            try:
                self.account.shutdown()
            except pj.Error as exc:
                log.warning("account shutdown: %s", exc.info())
            self._engine.release(self.account)
            self.account = None

    def domain(self) -> str | None:
        """Where a bare number is called when dialling out: the account's domain; None if no account."""
        if self.settings is None:
            return None
        return uri_hostport(self.settings.uri) or uri_hostport(self.settings.registrar)


def settings_expires(settings: SipAccount | None) -> int:
    return settings.expires_seconds if settings is not None else 0
