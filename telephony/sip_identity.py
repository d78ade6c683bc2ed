"""Who is calling and what was dialled, from the text of an incoming INVITE (pjsua2-free).

A PBX usually puts the network-asserted number in P-Asserted-Identity and may hide or rewrite the
From header; the caller is taken from P-Asserted-Identity when present, else from From.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shared.validation.errors import ValidationFailure
from shared.validation.phones import normalize_phone

_NAME_ADDR: Final = re.compile(r'^\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<token>[^<"]*?))\s*<(?P<uri>[^>]*)>')
_HEADER: Final = re.compile(r"^(?P<name>[A-Za-z-]+)\s*:\s*(?P<value>.*)$")
_COMPACT_NAMES: Final = {"f": "from", "t": "to"}


@dataclass(frozen=True, slots=True)
class Party:
    number: str  # E.164 when it is a phone number, else the user part as received
    raw: str  # user part as received ("0761717229", "anonymous", "operateur")
    display_name: str


def uri_user(uri: str) -> str:
    """User part of "sip:user@host;params" (or of a bare "tel:+33…"), percent-escapes kept."""
    body = uri.strip().strip("<>")
    body = re.sub(r"^(sips?|tel):", "", body, flags=re.IGNORECASE)
    user = body.split("@", 1)[0] if "@" in body else body
    return user.split(";", 1)[0]


def uri_hostport(uri: str) -> str:
    """ "host" or "host:port" of "sip:user@host:port;params" or "<sip:host>" ("" when there is none)."""
    body = re.sub(r"^(sips?):", "", parse_name_addr(uri)[1], flags=re.IGNORECASE)
    return body.split("@", 1)[-1].split(";", 1)[0].split("?", 1)[0]


def uri_host(uri: str) -> str:
    """Host alone (brackets of an IPv6 address removed)."""
    hostport = uri_hostport(uri)
    if hostport.startswith("["):
        return hostport[1 : hostport.find("]")]
    return hostport.split(":", 1)[0]


def parse_name_addr(value: str) -> tuple[str, str]:
    """(display name, URI) of '"Name" <sip:…>', 'Name <sip:…>' or a bare 'sip:…;tag=…'."""
    match = _NAME_ADDR.match(value)
    if match:
        name = match.group("quoted")
        if name is None:
            name = match.group("token") or ""
        return name.replace('\\"', '"').strip(), match.group("uri")
    return "", value.split(";", 1)[0].strip()


def as_number(user: str) -> str:
    """E.164 of a user part that is a phone number, else the user part unchanged."""
    digits = user.replace("%2B", "+").replace("%2b", "+")
    try:
        return normalize_phone(digits)
    except ValidationFailure:
        return user


def party(name_addr: str) -> Party:
    display_name, uri = parse_name_addr(name_addr)
    raw = uri_user(uri)
    return Party(number=as_number(raw), raw=raw, display_name=display_name)


def headers_of(message: str) -> dict[str, str]:
    """First value of each header of a SIP message (lower-case names, compact forms expanded)."""
    found: dict[str, str] = {}
    for line in message.split("\r\n\r\n", 1)[0].splitlines()[1:]:
        match = _HEADER.match(line)
        if match:
            name = match.group("name").lower()
            found.setdefault(_COMPACT_NAMES.get(name, name), match.group("value").strip())
    return found


def caller_of(message: str, remote_uri: str) -> Party:
    """The calling party: P-Asserted-Identity, else From (``remote_uri`` when the text has none)."""
    headers = headers_of(message)
    asserted = headers.get("p-asserted-identity")
    if asserted:
        found = party(asserted)
        # A network-asserted number without a name: keep the name the caller gave in From.
        if not found.display_name and "from" in headers:
            return Party(found.number, found.raw, parse_name_addr(headers["from"])[0])
        return found
    return party(headers.get("from", remote_uri))
