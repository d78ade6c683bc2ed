"""The desktop's own softphone, Qt-free: planned from the settings, started, registered, stopped,
and never a crash when the account, pjsua2 or the keyring is missing."""

from __future__ import annotations

import pytest
from keyring.backends.fail import Keyring as FailKeyring

from desktop.services.softphone import (
    NO_PJSUA2,
    NOT_CONFIGURED,
    REGISTERING,
    STOPPED,
    SoftphoneService,
    demo_plan,
    plan_from_settings,
)
from desktop.settings import SecretStore, Settings
from telephony.config import PhoneConfig, SipAccount
from tests.support.desktop_phone import FakeSoftphone
from tests.support.keyrings import MemoryKeyring

pytestmark = pytest.mark.anyio
ACCOUNT = Settings(
    sip_uri="sip:operateur@pbx.example", sip_registrar="sip:pbx.example:5070", sip_username="op7"
)


def _secrets(**stored: str) -> SecretStore:
    secrets = SecretStore(MemoryKeyring())
    for uri, password in stored.items():
        secrets.set(SecretStore.sip_key(uri), password)
    return secrets


def test_the_account_and_its_password_come_from_the_settings_and_the_keyring() -> None:
    plan = plan_from_settings(ACCOUNT, _secrets(**{"sip:operateur@pbx.example": "s3cret"}))
    assert plan.account == SipAccount("sip:operateur@pbx.example", "sip:pbx.example:5070", "op7")
    assert plan.password == "s3cret"
    assert "s3cret" not in repr(plan)  # never in a log line
    assert plan.config is not None
    assert (plan.config.bind_address, plan.config.port, plan.config.local_user) == ("0.0.0.0", 0, "operateur")
    assert (plan.status, plan.notice) == (REGISTERING, "")
    # a loopback registrar: bound to loopback; registrar and user deduced from the URI when empty
    local = plan_from_settings(Settings(sip_uri="sip:poste12@127.0.0.1:5070"), _secrets())
    assert local.account == SipAccount("sip:poste12@127.0.0.1:5070", "sip:127.0.0.1:5070", "poste12")
    assert local.config is not None
    assert local.config.bind_address == "127.0.0.1"
    assert local.password == ""
    assert local.notice == "Mot de passe SIP absent du trousseau : saisissez-le dans les réglages"


def test_no_account_an_invalid_one_or_no_secure_keyring() -> None:
    assert plan_from_settings(Settings(), _secrets()).config is None
    assert plan_from_settings(Settings(), _secrets()).status == NOT_CONFIGURED
    invalid = plan_from_settings(Settings(sip_uri="operateur chez pbx"), _secrets())
    assert invalid.config is None
    assert invalid.status == "Téléphonie : adresse SIP invalide dans les réglages (operateur chez pbx)"
    no_keyring = plan_from_settings(ACCOUNT, SecretStore(FailKeyring()))  # type: ignore[no-untyped-call]
    assert no_keyring.account is not None
    assert no_keyring.password == ""
    assert no_keyring.notice.startswith("Aucun trousseau sécurisé n'est disponible")


async def test_started_then_registered_then_stopped() -> None:
    phone = FakeSoftphone()
    plan = plan_from_settings(ACCOUNT, _secrets(**{"sip:operateur@pbx.example": "s3cret"}))
    made: list[PhoneConfig] = []

    def factory(config: PhoneConfig) -> FakeSoftphone:
        made.append(config)
        return phone

    service = SoftphoneService(plan, factory)
    assert service.create() is phone
    assert service.create() is phone  # once
    assert made == [plan.config]
    assert await service.start() == REGISTERING
    assert phone.commands == [("start",), ("register", "sip:operateur@pbx.example")]
    await service.stop()
    await service.stop()  # twice is harmless
    assert phone.commands[-1] == ("stop",)
    assert phone.commands.count(("stop",)) == 1
    assert service.status == STOPPED


async def test_the_demo_listens_for_direct_calls_without_registering() -> None:
    phone = FakeSoftphone()
    phone.local_port = 5123  # type: ignore[attr-defined]  # as Pjsua2Softphone.local_port
    service = SoftphoneService(demo_plan("operateur"), lambda _config: phone)
    assert service.direct_only
    service.create()
    assert await service.start() == "Téléphonie : démonstration, appels simulés sur ce poste"
    assert phone.commands == [("start",)]
    assert service.local_port == 5123


async def test_without_pjsua2_or_account_the_desktop_goes_on_without_phone() -> None:
    def no_pjsua2(_config: PhoneConfig) -> FakeSoftphone:
        raise ImportError("No module named 'pjsua2'")

    service = SoftphoneService(demo_plan("operateur"), no_pjsua2)
    assert service.create() is None
    assert await service.start() == NO_PJSUA2
    await service.stop()
    unconfigured = SoftphoneService(plan_from_settings(Settings(), _secrets()), lambda _c: FakeSoftphone())
    assert unconfigured.create() is None
    assert await unconfigured.start() == NOT_CONFIGURED


async def test_a_start_or_registration_failure_is_a_status_never_an_exception() -> None:
    phone = FakeSoftphone()
    phone.refuse.add("start")
    service = SoftphoneService(plan_from_settings(ACCOUNT, _secrets()), lambda _c: phone)
    service.create()
    assert await service.start() == "Téléphonie : hors service — Commande refusée : start"
    assert not service.started
    await service.stop()
    assert ("stop",) not in phone.commands  # never started: nothing to stop

    refusing = FakeSoftphone()
    refusing.refuse.add("register")
    service = SoftphoneService(plan_from_settings(ACCOUNT, _secrets()), lambda _c: refusing)
    service.create()
    assert await service.start() == "Téléphonie : inscription impossible — Commande refusée : register"
    assert service.started
    await service.stop()
    assert refusing.commands[-1] == ("stop",)
