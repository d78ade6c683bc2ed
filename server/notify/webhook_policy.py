"""Where a webhook may point: HTTPS to a public address, unless the deployment says otherwise.

Checked twice (issue 17, item 12): when an administrator registers the URL (a refusal is a 422 in
French), and again at every send after resolving the name, on the very address the delivery then
connects to (server/notify/webhook_sender.py); so a name that resolves to a public address at
registration and to 127.0.0.1 later (DNS rebinding) still cannot reach the inside.

Two settings loosen the rules, each on purpose and named in the environment:
- `CENTRALE_WEBHOOKS_ALLOW_HTTP=1`: plain `http://` (the tests' and the demo's receivers). Refused
  beside a remote PostgreSQL (server/settings.py), like the test clock: a production platform
  sends offers over TLS only.
- `CENTRALE_WEBHOOKS_ALLOW_PRIVATE=1`: loopback, private, link-local and other non-public
  addresses (a receiver inside the deployment's own network). Allowed anywhere, since an
  on-premises installation may need it, but never by default.
`CENTRALE_WEBHOOKS_CA_FILE` names extra certificate authorities to trust (a test's self-signed
receiver, an internal CA); the system's authorities are trusted as well.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[IpAddress]]


class WebhookRefused(ValueError):
    """A webhook address the policy refuses; `message` is French, for the administrator."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class WebhookPolicy:
    allow_http: bool = False
    allow_private: bool = False
    ca_file: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookPolicy:
        return cls(
            allow_http=env.get("CENTRALE_WEBHOOKS_ALLOW_HTTP", "") == "1",
            allow_private=env.get("CENTRALE_WEBHOOKS_ALLOW_PRIVATE", "") == "1",
            ca_file=env.get("CENTRALE_WEBHOOKS_CA_FILE") or None,
        )


def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IpAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def is_public(address: IpAddress) -> bool:
    """A globally routed unicast address: not loopback, private, link-local, multicast, reserved,
    unspecified, shared (100.64/10) nor documentation; an IPv4-mapped IPv6 address is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def parse(url: str, policy: WebhookPolicy) -> SplitResult:
    """The URL's parts once its scheme and host are acceptable (no DNS yet)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("webhook_url_invalid", "Adresse de webhook invalide (https:// attendu)")
    if parts.scheme == "http" and not policy.allow_http:
        raise WebhookRefused(
            "webhook_https_required",
            "Le webhook doit être en https:// : les offres ne sont envoyées que chiffrées",
        )
    if parts.username or parts.password:
        raise WebhookRefused(
            "webhook_url_invalid", "Adresse de webhook invalide : pas d'identifiant dans l'adresse"
        )
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        raise WebhookRefused("webhook_url_invalid", "Adresse de webhook invalide : port incorrect") from exc
    return parts


def default_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def check_addresses(host: str, addresses: list[IpAddress], policy: WebhookPolicy) -> None:
    """Refuse when any address is not public (unless allowed): a name with one inside address is
    refused whole, since the connection could go to any of them."""
    if policy.allow_private:
        return
    inside = [a for a in addresses if not is_public(a)]
    if inside:
        raise WebhookRefused(
            "webhook_address_private",
            f"Le webhook « {host} » désigne une adresse interne ({inside[0]}) : "
            "seules les adresses publiques sont permises",
        )


def check_registration(url: str, policy: WebhookPolicy, resolver: Resolver = resolve) -> None:
    """The check when an administrator sets the URL. A name that does not resolve yet is accepted
    (the receiver may be set up later); every send checks again on the resolved address."""
    parts = parse(url, policy)
    host = parts.hostname or ""
    if policy.allow_private:
        return
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise WebhookRefused(
            "webhook_address_private",
            f"Le webhook « {host} » désigne une adresse interne : "
            "seules les adresses publiques sont permises",
        )
    try:
        addresses = resolver(host, default_port(parts))
    except (OSError, UnicodeError, ValueError):
        return
    check_addresses(host, addresses, policy)
