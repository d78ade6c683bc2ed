"""Where a webhook may point, and the send-time check on the resolved address (DNS faked: the edge)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import pytest

from server.notify.webhook_policy import (
    IpAddress,
    Resolver,
    WebhookPolicy,
    WebhookRefused,
    check_registration,
)
from server.notify.webhook_sender import Outgoing, http_sender
from server.notify.webhook_signing import signature, verify

STRICT = WebhookPolicy()


def _resolving_to(*addresses: str) -> Resolver:
    def resolver(_host: str, _port: int) -> list[IpAddress]:
        return [ipaddress.ip_address(a) for a in addresses]

    return resolver


def test_a_public_https_name_is_accepted() -> None:
    check_registration("https://hooks.example.com/offers", STRICT, _resolving_to("93.184.215.14"))


def test_a_name_with_one_inside_address_is_refused_whole() -> None:
    resolver = _resolving_to("93.184.215.14", "10.0.0.5")
    with pytest.raises(WebhookRefused) as refused:
        check_registration("https://hooks.example.com/offers", STRICT, resolver)
    assert refused.value.code == "webhook_address_private"
    assert "10.0.0.5" in refused.value.message


def test_an_unresolvable_name_waits_for_the_send_time_check() -> None:
    def failing(_host: str, _port: int) -> list[IpAddress]:
        raise OSError("no such name")

    check_registration("https://not-yet.example.com/offers", STRICT, failing)


def test_the_settings_loosen_only_what_they_name() -> None:
    with pytest.raises(WebhookRefused):
        check_registration("http://127.0.0.1/x", WebhookPolicy(allow_private=True))
    with pytest.raises(WebhookRefused):
        check_registration("http://127.0.0.1/x", WebhookPolicy(allow_http=True))
    check_registration("http://127.0.0.1/x", WebhookPolicy(allow_http=True, allow_private=True))
    with pytest.raises(WebhookRefused):
        check_registration("https://user:pw@example.com/x", STRICT)


def test_a_name_rebound_to_loopback_is_refused_before_connecting() -> None:
    """Public at registration, 127.0.0.1 at send time: refused, nothing sent."""
    check_registration("https://rebind.example.com/x", STRICT, _resolving_to("93.184.215.14"))
    send = http_sender(STRICT, resolver=_resolving_to("127.0.0.1"))
    delivery = Outgoing(1, "https://rebind.example.com/x", {"type": "offer"}, "k" * 64)
    with pytest.raises(WebhookRefused) as refused:
        send(delivery, datetime(2025, 3, 30, 1, 0, tzinfo=UTC))
    assert refused.value.code == "webhook_address_private"


def test_an_unsigned_delivery_is_never_sent() -> None:
    send = http_sender(STRICT, resolver=_resolving_to("93.184.215.14"))
    with pytest.raises(WebhookRefused):
        send(Outgoing(1, "https://example.com/x", {}, None), datetime(2025, 1, 1, tzinfo=UTC))


def test_the_signature_covers_timestamp_and_exact_body() -> None:
    header = signature("secret", 1_700_000_000, b'{"a":1}')
    assert header.startswith("t=1700000000,v1=")
    assert verify("secret", header, b'{"a":1}')
    assert not verify("secret", header.replace("t=1700000000", "t=1700000001"), b'{"a":1}')
    assert not verify("secret", header, b'{"a": 1}')
    assert not verify("other", header, b'{"a":1}')
    assert not verify("secret", "garbage", b'{"a":1}')
