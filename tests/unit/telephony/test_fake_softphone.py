"""``telephony.fake.FakeSoftphone``: a recorder behind ``telephony.api.Softphone``, with the very
members of the protocol and of the pjsua2 adapter, and no pjsua2 loaded."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from telephony.api import AudioDevice, PhoneError, RejectCode, Softphone
from telephony.config import SipAccount
from telephony.events import CallState, CallStateChanged, PhoneEvent, RegistrationChanged, RegistrationStatus
from telephony.fake import FAKE_CALL_ID, FakeSoftphone
from tests.support import desktop_phone
from tests.support.protocol_check import signature_mismatches

ROOT = Path(__file__).resolve().parents[3]


def test_the_fake_is_a_softphone_and_the_tests_old_name_is_the_same_class() -> None:
    phone: Softphone = FakeSoftphone()  # mypy: conformance
    assert isinstance(phone, desktop_phone.FakeSoftphone)
    assert signature_mismatches(Softphone, FakeSoftphone) == []


def test_the_pjsua2_adapter_declares_the_protocol_exactly() -> None:
    pytest.importorskip("pjsua2")
    from telephony.pjsua2_adapter import Pjsua2Softphone

    phone: Softphone = Pjsua2Softphone()  # mypy: conformance (no Endpoint before start)
    assert phone.audio_devices() == []
    assert signature_mismatches(Softphone, Pjsua2Softphone) == []


def test_commands_are_recorded_in_order_without_a_start() -> None:
    phone = FakeSoftphone()

    async def scenario() -> int:
        await phone.register(SipAccount("sip:op@pbx.example", "sip:pbx.example", "op"), "secret")
        await phone.answer(1)
        await phone.reject(2)
        await phone.reject(3, RejectCode.DECLINE)
        await phone.hold(1)
        await phone.unhold(1)
        await phone.set_muted(1, True)
        await phone.send_dtmf(1, "12#")
        await phone.transfer(1, "sip:bob@127.0.0.1:5099")
        await phone.hang_up(1)
        await phone.network_changed()
        await phone.unregister()
        return await phone.call("0612345678")

    assert asyncio.run(scenario()) == FAKE_CALL_ID
    assert phone.commands == [
        ("register", "sip:op@pbx.example"),  # never the password
        ("answer", 1),
        ("reject", 2, RejectCode.BUSY),
        ("reject", 3, RejectCode.DECLINE),
        ("hold", 1),
        ("unhold", 1),
        ("set_muted", 1, True),
        ("send_dtmf", 1, "12#"),
        ("transfer", 1, "sip:bob@127.0.0.1:5099"),
        ("hang_up", 1),
        ("network_changed",),
        ("unregister",),
        ("call", "0612345678"),
    ]
    assert phone.audio_devices() == [AudioDevice("null", "null", 1, 1)]


def test_a_refused_command_raises_in_french_and_is_not_recorded() -> None:
    phone = FakeSoftphone()
    phone.refuse.add("start")

    with pytest.raises(PhoneError, match="Commande refusée : start"):
        asyncio.run(phone.start())
    asyncio.run(phone.stop())
    assert phone.commands == [("stop",)]


def test_emit_calls_every_listener_at_once_in_the_order_they_were_added() -> None:
    phone = FakeSoftphone()
    heard: list[tuple[str, PhoneEvent]] = []
    phone.add_listener(lambda event: heard.append(("first", event)))
    phone.add_listener(lambda event: heard.append(("second", event)))
    registered = RegistrationChanged(RegistrationStatus.REGISTERED, 200, "OK", "Enregistré")
    confirmed = CallStateChanged(1, CallState.CONFIRMED, 200, "OK")
    phone.emit(registered)
    phone.emit(confirmed)
    assert heard == [
        ("first", registered),
        ("second", registered),
        ("first", confirmed),
        ("second", confirmed),
    ]
    assert phone.commands == []  # events are the far end's, not commands


def test_importing_the_api_and_the_fake_does_not_load_pjsua2() -> None:
    code = (
        "import sys\n"
        "import telephony.api, telephony.events, telephony.fake\n"
        "telephony.fake.FakeSoftphone()\n"
        "assert 'pjsua2' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
