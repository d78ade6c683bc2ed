"""Caller identity from the INVITE: P-Asserted-Identity first, French numbers normalised to E.164."""

from __future__ import annotations

import pytest

from telephony.sip_identity import caller_of, parse_name_addr, uri_host, uri_hostport, uri_user


def invite(*headers: str) -> str:
    return "INVITE sip:operateur@pbx SIP/2.0\r\n" + "\r\n".join(headers) + "\r\n\r\nv=0\r\n"


@pytest.mark.parametrize(
    ("from_header", "number", "raw", "name"),
    [
        ('"Claire Martin" <sip:0761717229@pbx>;tag=1', "+33761717229", "0761717229", "Claire Martin"),
        ("<sip:+33761717229@pbx;user=phone>;tag=1", "+33761717229", "+33761717229", ""),
        ("Cabinet <sip:0590123456@pbx>;tag=1", "+590590123456", "0590123456", "Cabinet"),
        ("<sip:%2B33145678912@pbx>;tag=1", "+33145678912", "%2B33145678912", ""),
        ('"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1', "anonymous", "anonymous", "Anonymous"),
        ("<sip:4001@pbx>;tag=1", "4001", "4001", ""),  # an internal extension stays as it is
    ],
)
def test_the_caller_comes_from_the_from_header(from_header: str, number: str, raw: str, name: str) -> None:
    party = caller_of(invite(f"From: {from_header}", "To: <sip:operateur@pbx>"), "")
    assert (party.number, party.raw, party.display_name) == (number, raw, name)


def test_p_asserted_identity_wins_and_keeps_the_from_name() -> None:
    party = caller_of(
        invite('f: "Dr House" <sip:anonymous@pbx>;tag=1', "P-Asserted-Identity: <tel:+33145678912>"), ""
    )
    assert (party.number, party.display_name) == ("+33145678912", "Dr House")


def test_without_the_message_the_remote_uri_is_used() -> None:
    assert caller_of("", '"X" <sip:0761717229@pbx>').number == "+33761717229"


def test_name_addr_parsing() -> None:
    assert parse_name_addr('"A \\"B\\"" <sip:u@h>;tag=2') == ('A "B"', "sip:u@h")
    assert parse_name_addr("sip:u@h;tag=3") == ("", "sip:u@h")
    assert uri_user("sip:operateur@127.0.0.1:5060;transport=udp") == "operateur"
    assert uri_user("tel:+33145678912;phone-context=x") == "+33145678912"


@pytest.mark.parametrize(
    ("uri", "hostport"),
    [
        ("sip:operateur@127.0.0.1:5070", "127.0.0.1:5070"),
        ("sip:pbx.example.fr;transport=udp", "pbx.example.fr"),
        ('"Opératrice" <sip:op@pbx.example.fr>', "pbx.example.fr"),
        ("sips:[2001:db8::1]:5061", "[2001:db8::1]:5061"),
    ],
)
def test_uri_hostport(uri: str, hostport: str) -> None:
    assert uri_hostport(uri) == hostport


def test_uri_host() -> None:
    uris = ("sip:127.0.0.1:5070", "sip:[2001:db8::1]", "sips:[::1]:5061", "sip:pbx")
    assert [uri_host(u) for u in uris] == ["127.0.0.1", "2001:db8::1", "::1", "pbx"]
