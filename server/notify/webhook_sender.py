"""Sending one webhook delivery: the address checked after resolution, then signed and POSTed to it.

The name is resolved here, every address checked by the policy (server/notify/webhook_policy.py),
and the connection made to the checked address itself, with the original name kept in the Host
header, the TLS SNI and the certificate check: so a name that changes its answer between the check
and the connection (DNS rebinding) cannot send an offer to the inside. Redirects are not followed.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from server.notify.webhook_policy import (
    Resolver,
    WebhookPolicy,
    WebhookRefused,
    check_addresses,
    default_port,
    parse,
    resolve,
)
from server.notify.webhook_signing import DELIVERY_HEADER, SIGNATURE_HEADER, signature


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery: its id (sent as `Centrale-Delivery`), where, what, and the signing key."""

    id: int
    url: str
    payload: dict[str, Any]
    secret: str | None


Sender = Callable[[Outgoing, datetime], None]


def encoded(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _tls_context(policy: WebhookPolicy) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if policy.ca_file:
        context.load_verify_locations(cafile=policy.ca_file)
    return context


def http_sender(policy: WebhookPolicy, timeout: float = 5.0, resolver: Resolver = resolve) -> Sender:
    context = _tls_context(policy)

    def send(delivery: Outgoing, now: datetime) -> None:
        if not delivery.secret:
            raise WebhookRefused("webhook_secret_missing", "Webhook sans clé de signature")
        parts = parse(delivery.url, policy)
        host, port = parts.hostname or "", default_port(parts)
        addresses = resolver(host, port)
        if not addresses:
            raise WebhookRefused("webhook_unresolved", f"Aucune adresse pour « {host} »")
        check_addresses(host, addresses, policy)
        address = addresses[0]
        literal = f"[{address}]" if address.version == 6 else str(address)
        target = parts._replace(netloc=f"{literal}:{port}").geturl()
        host_header = host if parts.port is None else f"{host}:{port}"
        if ":" in host:  # an IPv6 literal in the URL
            host_header = f"[{host}]" if parts.port is None else f"[{host}]:{port}"
        body = encoded(delivery.payload)
        headers = {
            "Host": host_header,
            "Content-Type": "application/json",
            "User-Agent": "centrale-server",
            SIGNATURE_HEADER: signature(delivery.secret, int(now.timestamp()), body),
            DELIVERY_HEADER: str(delivery.id),
        }
        with httpx.Client(verify=context, timeout=timeout, follow_redirects=False) as client:
            response = client.post(target, content=body, headers=headers, extensions={"sni_hostname": host})
        response.raise_for_status()

    return send
