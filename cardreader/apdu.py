"""Command/response APDUs and the transport rules of ISO/IEC 7816-3/-4 (pure, no pyscard).

* 61xx: "xx more bytes available" — fetch them with GET RESPONSE (00 C0 00 00 xx), possibly
  several times (ISO/IEC 7816-4 § 5.1.3; T=0 case 4, ISO/IEC 7816-3 § 12.2.4).
* 6Cxx: "wrong Le, xx is the exact length" — send the same command again with Le = xx
  (ISO/IEC 7816-3 § 12.2.3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cardreader.errors import CardErrorCode, CardReadError

SW_OK = 0x9000
INS_GET_RESPONSE = 0xC0
_MORE_DATA = 0x61
_WRONG_LE = 0x6C
_MAX_GET_RESPONSES = 64  # 16 KiB: far beyond any file read here; stops a card looping on 61xx
_SHORT_LE_MAX = 256

RawTransmit = Callable[[bytes], bytes]  # command APDU → response APDU (data + SW1 SW2)


@dataclass(frozen=True, slots=True)
class Response:
    data: bytes
    sw: int

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


def command(cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    """A short command APDU (cases 1-4); ``le`` 1..256, 256 encoded as 00."""
    if len(data) > 255:
        raise ValueError("short APDUs carry at most 255 data bytes")
    apdu = bytes([cla, ins, p1, p2])
    if data:
        apdu += bytes([len(data)]) + data
    if le is not None:
        if not 1 <= le <= _SHORT_LE_MAX:
            raise ValueError("Le must be 1..256")
        apdu += bytes([le % _SHORT_LE_MAX])
    return apdu


def split_response(raw: bytes) -> Response:
    if len(raw) < 2:
        raise CardReadError(CardErrorCode.UNREADABLE, f"response of {len(raw)} bytes, no status word")
    return Response(raw[:-2], int.from_bytes(raw[-2:], "big"))


def with_le(apdu: bytes, le: int) -> bytes:
    """The same command with another Le (cases 2 and 4 replace it, cases 1 and 3 gain one)."""
    header, body = apdu[:4], apdu[4:]
    if not body:
        return header + bytes([le])
    if len(body) == 1:
        return header + bytes([le])
    lc = body[0]
    return header + body[: 1 + lc] + bytes([le])


@dataclass
class Exchange:
    """Sends commands through ``raw`` and counts every APDU that went to the card."""

    raw: RawTransmit
    count: int = 0

    def _send(self, apdu: bytes) -> Response:
        self.count += 1
        return split_response(self.raw(apdu))

    def transmit(self, apdu: bytes) -> Response:
        response = self._send(apdu)
        if response.sw1 == _WRONG_LE:
            response = self._send(with_le(apdu, response.sw2))
        data = response.data
        for _ in range(_MAX_GET_RESPONSES):
            if response.sw1 != _MORE_DATA:
                return Response(data, response.sw)
            response = self._send(command(0x00, INS_GET_RESPONSE, 0, 0, le=response.sw2 or _SHORT_LE_MAX))
            data += response.data
        raise CardReadError(CardErrorCode.UNREADABLE, "card keeps answering 61xx")
