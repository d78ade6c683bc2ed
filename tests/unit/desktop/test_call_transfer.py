"""Blind transfer from the call flow: the destination checked first, with a French reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.state.call_flow import CallFlow, CallPhase, transfer_destination_error
from telephony.events import CallMediaChanged, CallState, CallStateChanged, IncomingCall, MediaState
from tests.support.desktop_phone import FakeSoftphone

pytestmark = pytest.mark.anyio
HINT = "un numéro (01 23 45 67 89), un poste (1234) ou une adresse sip:…"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "destination",
    ["sip:secretariat@pbx.example", "sip:bob@127.0.0.1:5099", "sips:1234@pbx;transport=tls",
     "01 23 45 67 89", "+33 1 23 45 67 89", "1234", "01.23.45.67.89", " 0612345678 "],
)  # fmt: skip
def test_dialable_destinations(destination: str) -> None:
    assert transfer_destination_error(destination) is None


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("", f"Indiquez le destinataire du transfert : {HINT}"),
        ("   ", "Indiquez le destinataire du transfert"),
        ("Mme Martin", f"Destinataire invalide : {HINT}"),
        ("sip:bob @pbx", "Adresse SIP invalide : sip:bob @pbx"),
        ("sip:", "Adresse SIP invalide : sip:"),
        ("1", "Numéro de transfert invalide : 1"),
        ("01234567890123456789", "Numéro de transfert invalide : 01234567890123456789"),
    ],
)  # fmt: skip
def test_refused_destinations_say_why(destination: str, message: str) -> None:
    error = transfer_destination_error(destination)
    assert error is not None
    assert error.startswith(message)


async def test_the_flow_refuses_a_bad_destination_and_dials_a_good_one_without_spaces() -> None:
    phone = FakeSoftphone()
    flow = CallFlow(phone)
    flow.attach()
    changes: list[object] = []
    flow.on_change = changes.append
    phone.emit(IncomingCall(1, "+33199000001", "0199000001", "", "op", "sip-1", NOW, False))
    phone.emit(CallStateChanged(1, CallState.CONFIRMED, 200, "OK"))
    assert not await flow.transfer(1, "Mme Martin")
    assert flow.message.startswith("Destinataire invalide")
    assert changes[-1] is None  # the popup is told to show the message
    assert phone.commands == []
    assert await flow.transfer(1, "01 23 45 67 89")
    assert flow.message == ""
    assert phone.commands == [("transfer", 1, "0123456789")]
    assert await flow.transfer(1, "sip:bob@127.0.0.1:5099")
    assert phone.commands[-1] == ("transfer", 1, "sip:bob@127.0.0.1:5099")
    phone.refuse.add("transfer")
    assert not await flow.transfer(1, "1234")
    assert flow.message == "Commande refusée : transfer"


def test_held_calls_are_listed() -> None:
    phone = FakeSoftphone()
    flow = CallFlow(phone)
    flow.attach()
    for call_id in (1, 2):
        phone.emit(IncomingCall(call_id, "+33199000001", "0199000001", "", "op", f"s{call_id}", NOW, False))
        phone.emit(CallStateChanged(call_id, CallState.CONFIRMED, 200, "OK"))
    phone.emit(CallMediaChanged(1, MediaState.LOCAL_HOLD, False))
    assert [v.call_id for v in flow.held()] == [1]
    assert flow.calls[2].phase is CallPhase.ACTIVE
