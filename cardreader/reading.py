"""From an ATR and a way to send APDUs to a card's identity: the reading procedure per card type.

The layout facts (AIDs, FIDs, templates) live in ``cardreader.cards``; this module only chains
ISO/IEC 7816-4 commands: SELECT (§ 7.1.1) and READ BINARY (§ 7.2.3).
"""

from __future__ import annotations

from typing import Protocol

from cardreader.apdu import Response, command
from cardreader.cards import cps, vitale1, vitale2
from cardreader.cards.atr import CardKind, classify_atr
from cardreader.cards.tlv import parse_tlv
from cardreader.errors import CardDataError, CardErrorCode, CardReadError

CardContent = vitale2.VitaleCard | cps.CpsCard

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
_BY_AID = 0x04
_EF_UNDER_CURRENT_DF = 0x02
_NO_RESPONSE_DATA = 0x0C
_RETURN_FCP = 0x04
_FCP_TAG = 0x62
_FCP_SIZE_TAGS = (0x80, 0x81)  # ISO/IEC 7816-4 table 12: 80 data size, 81 total size
_SW_WRONG_P1P2 = 0x6A86
_SW_WRONG_OFFSET = 0x6B00
_SW_END_OF_FILE = 0x6282
_MAX_FILE = 0x7FFF  # 15-bit READ BINARY offsets


class CardChannel(Protocol):
    def transmit(self, apdu: bytes) -> Response: ...


def _unexpected(step: str, response: Response) -> CardReadError:
    return CardReadError(CardErrorCode.UNREADABLE, f"{step}: status word {response.sw:04X}")


def select_application(channel: CardChannel, aid: bytes) -> None:
    response = channel.transmit(command(0x00, INS_SELECT, _BY_AID, _NO_RESPONSE_DATA, aid))
    if not response.ok:
        raise _unexpected(f"SELECT {aid.hex().upper()}", response)


def _size_from_fcp(fcp: bytes) -> int | None:
    try:
        objects = parse_tlv(fcp)
    except CardDataError:
        return None
    if not objects or objects[0].tag != _FCP_TAG:
        return None
    for tag in _FCP_SIZE_TAGS:
        found = objects[0].first(tag)
        if found is not None and 0 < len(found.value) <= 2:
            return int.from_bytes(found.value, "big")
    return None


def select_file(channel: CardChannel, fid: int) -> int | None:
    """Select an EF of the current application; returns its size when the card tells it."""
    response = channel.transmit(
        command(0x00, INS_SELECT, _EF_UNDER_CURRENT_DF, _RETURN_FCP, fid.to_bytes(2, "big"), le=256)
    )
    if response.sw == _SW_WRONG_P1P2:  # a card that returns no FCP: select without answer data
        response = channel.transmit(
            command(0x00, INS_SELECT, _EF_UNDER_CURRENT_DF, _NO_RESPONSE_DATA, fid.to_bytes(2, "big"))
        )
        if response.ok:
            return None
    if not response.ok:
        raise _unexpected(f"SELECT EF {fid:04X}", response)
    return _size_from_fcp(response.data)


def read_binary(channel: CardChannel, size: int | None, chunk: int) -> bytes:
    """The whole current EF: exactly ``size`` bytes when known, else chunks until a short one."""
    content = bytearray()
    while size is None or len(content) < size:
        if len(content) > _MAX_FILE:
            raise CardReadError(CardErrorCode.UNREADABLE, "EF larger than READ BINARY can address")
        wanted = chunk if size is None else min(chunk, size - len(content))
        offset = len(content)
        response = channel.transmit(command(0x00, INS_READ_BINARY, offset >> 8, offset & 0xFF, le=wanted))
        if response.sw == _SW_WRONG_OFFSET and size is None and offset:
            break  # the previous chunk ended exactly at the end of the file
        if not response.ok and response.sw != _SW_END_OF_FILE:
            raise _unexpected(f"READ BINARY at {offset}", response)
        if not response.data:
            raise CardReadError(CardErrorCode.UNREADABLE, f"READ BINARY at {offset}: empty answer")
        content += response.data[:wanted]
        if response.sw == _SW_END_OF_FILE or len(response.data) < wanted:
            if size is not None:  # the card said how big the file is: a short file is a broken read
                raise CardReadError(CardErrorCode.UNREADABLE, f"EF ends at {len(content)} of {size} bytes")
            break
    return bytes(content)


def read_vitale2(channel: CardChannel, atr: bytes) -> vitale2.VitaleCard:
    select_application(channel, vitale2.VITALE_AID)
    size = select_file(channel, vitale2.FILE_MAP_FID)
    file_map = vitale2.parse_file_map(read_binary(channel, size, vitale2.READ_CHUNK))
    beneficiaries: list[vitale2.Beneficiary] = []
    for mapped in file_map.files_of(vitale2.VITALE_AID):
        size = select_file(channel, mapped.fid)
        beneficiaries.extend(vitale2.parse_beneficiaries(read_binary(channel, size, vitale2.READ_CHUNK)))
    if not beneficiaries:
        raise CardDataError("no beneficiary template on the card")
    return vitale2.VitaleCard(atr, tuple(beneficiaries))


def read_cps(channel: CardChannel, atr: bytes, kind: CardKind) -> cps.CpsCard:
    select_application(channel, cps.IAS_ECC_AID)
    size = select_file(channel, cps.AUTH_CERTIFICATE_FID)
    certificate = read_binary(channel, size, cps.READ_CHUNK)
    return cps.CpsCard(kind, atr, cps.parse_holder(certificate))


def read_card(atr: bytes, channel: CardChannel) -> CardContent:
    """The card's identity, or a :class:`CardReadError` — never a partial result."""
    kind = classify_atr(atr)
    if kind is CardKind.VITALE2:
        return read_vitale2(channel, atr)
    if kind in (CardKind.CPS3, CardKind.CPS4):
        return read_cps(channel, atr, kind)
    if kind is CardKind.VITALE1:
        raise vitale1.refuse()
    raise CardReadError(CardErrorCode.UNKNOWN_CARD, f"ATR {atr.hex(' ').upper()}")
