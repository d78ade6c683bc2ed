"""Registration back-off, status messages, address watch, event JSON."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from telephony import registration
from telephony.events import IncomingCall, RegistrationStatus, event_to_json
from telephony.network_watch import AddressWatch, source_address_towards


def test_back_off_doubles_up_to_a_ceiling_and_resets() -> None:
    backoff = registration.Backoff(first=1, maximum=8, jitter=0.1, _random=random.Random(4))
    delays = [backoff.next_delay() for _ in range(6)]
    for delay, base in zip(delays, [1, 2, 4, 8, 8, 8], strict=True):
        assert base * 0.9 <= delay <= base * 1.1
    backoff.reset()
    assert backoff.next_delay() <= 1.1


def test_status_messages_are_french_and_say_what_happens_next() -> None:
    lost = registration.retrying(408, "Request Timeout", 4.2)
    assert lost.status is RegistrationStatus.RETRYING
    assert lost.message == "Téléphone hors service : serveur d'appels injoignable, nouvel essai dans 4 s"
    refused = registration.retrying(500, "Server Internal Error", None)
    assert "refusé l'inscription (500 Server Internal Error)" in refused.message
    assert refused.message.endswith("nouvel essai en cours")
    assert "mot de passe" in registration.auth_failed(401, "Unauthorized").message


def test_the_address_watch_reports_each_change_once() -> None:
    addresses = iter(["10.0.0.2", "10.0.0.2", "192.168.1.20", "192.168.1.20", None])
    watch = AddressWatch(lambda: next(addresses))
    assert [watch.check(), watch.check(), watch.check(), watch.check()] == [False, True, False, True]
    assert watch.address is None


def test_the_source_address_towards_loopback_is_loopback() -> None:
    assert source_address_towards("127.0.0.1") == "127.0.0.1"


def test_events_become_flat_json() -> None:
    moment = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    event = IncomingCall(3, "+33761717229", "0761717229", "Claire Martin", "operateur", "c1", moment, False)
    assert event_to_json(event) == {
        "event": "IncomingCall", "call_id": 3, "caller": "+33761717229", "caller_raw": "0761717229",
        "display_name": "Claire Martin", "called": "operateur", "sip_call_id": "c1",
        "received_at": "2026-11-27T09:30:00+00:00", "waiting": False,
    }  # fmt: skip
