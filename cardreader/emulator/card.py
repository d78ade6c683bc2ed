"""ISO/IEC 7816-4 command processing for the emulated card: SELECT, READ BINARY, GET RESPONSE.

Status words (ISO/IEC 7816-4 § 5.1.3, tables 5-6): 9000 success; 61xx xx more bytes to fetch
with GET RESPONSE; 6700 wrong length; 6986 command not allowed (no current EF); 6A82 file not
found; 6A86 incorrect P1-P2; 6B00 wrong parameters (offset outside the EF); 6Cxx wrong Le, xx
is the exact length; 6D00 instruction not supported; 6E00 class not supported; 6985 conditions
of use not satisfied (GET RESPONSE with nothing pending).
Like a T=0 card, a SELECT that returns data answers 61xx and the data comes with GET RESPONSE,
and a READ BINARY asking more than the EF holds answers 6Cxx.
"""

from __future__ import annotations

from dataclasses import dataclass

from cardreader.cards.tlv import encode_tlv
from cardreader.emulator.filesystem import MF_FID, DedicatedFile, ElementaryFile

SW_OK = b"\x90\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_NOT_ALLOWED = b"\x69\x86"
SW_NOTHING_PENDING = b"\x69\x85"
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1P2 = b"\x6a\x86"
SW_WRONG_OFFSET = b"\x6b\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_GET_RESPONSE = 0xC0
_SELECT_BY_FID = 0x00
_SELECT_CHILD_DF = 0x01
_SELECT_CHILD_EF = 0x02
_SELECT_BY_AID = 0x04
_RETURN_FCI = 0x00
_RETURN_FCP = 0x04
_RETURN_NOTHING = 0x0C


@dataclass(frozen=True, slots=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None  # 1..256 (short Le 00 means 256), None when absent


def parse_command(apdu: bytes) -> Command | None:
    """Short APDUs, cases 1-4 (ISO/IEC 7816-3 § 12.1.3); None when the lengths are inconsistent."""
    if len(apdu) < 4:
        return None
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return Command(cla, ins, p1, p2, b"", None)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, b"", body[0] or 256)
    lc = body[0]
    if lc == 0:
        return None  # extended lengths are not supported by this card
    if len(body) == 1 + lc:
        return Command(cla, ins, p1, p2, body[1:], None)
    if len(body) == 2 + lc:
        return Command(cla, ins, p1, p2, body[1 : 1 + lc], body[-1] or 256)
    return None


def _fcp(ef: ElementaryFile, with_size: bool) -> bytes:
    # ISO/IEC 7816-4 § 5.3.3, table 12: 80 data size, 82 descriptor (01 = transparent EF), 83 FID
    size = encode_tlv(0x80, len(ef.data).to_bytes(2, "big")) if with_size else b""
    return encode_tlv(0x62, size + encode_tlv(0x82, b"\x01") + encode_tlv(0x83, ef.fid.to_bytes(2, "big")))


def _fci(df: DedicatedFile) -> bytes:
    # ISO/IEC 7816-4 § 5.3.3: 6F FCI template, 84 DF name
    return encode_tlv(0x6F, encode_tlv(0x84, df.aid or b""))


class VirtualCard:
    """One card: its ATR and file system; ``process`` answers one command APDU."""

    def __init__(self, atr: bytes, mf: DedicatedFile, fcp_size: bool = True) -> None:
        self.atr = atr
        self.mf = mf
        self.fcp_size = fcp_size  # False: the FCP does not tell the EF's size (tag 80 is optional)
        self.current_df = mf
        self.current_ef: ElementaryFile | None = None
        self._pending = b""

    def reset(self) -> None:
        self.current_df = self.mf
        self.current_ef = None
        self._pending = b""

    def process(self, apdu: bytes) -> bytes:
        command = parse_command(apdu)
        if command is None:
            return SW_WRONG_LENGTH
        if command.cla & 0xF0:  # only the interindustry class 0X is spoken (ISO 7816-4 § 5.4.1)
            return SW_CLA_NOT_SUPPORTED
        if command.ins != INS_GET_RESPONSE:
            self._pending = b""
        if command.ins == INS_SELECT:
            return self._select(command)
        if command.ins == INS_READ_BINARY:
            return self._read_binary(command)
        if command.ins == INS_GET_RESPONSE:
            return self._get_response(command)
        return SW_INS_NOT_SUPPORTED

    def _answer(self, data: bytes, p2: int) -> bytes:
        if p2 == _RETURN_NOTHING or not data:
            return SW_OK
        self._pending = data
        return bytes([0x61, len(data) & 0xFF])

    def _select(self, command: Command) -> bytes:
        if command.p2 not in (_RETURN_FCI, _RETURN_FCP, _RETURN_NOTHING):
            return SW_WRONG_P1P2
        if command.p1 == _SELECT_BY_AID:
            df = self.mf.find_aid(command.data) if command.data else self.mf
            if df is None:
                return SW_FILE_NOT_FOUND
            self.current_df, self.current_ef = df, None
            return self._answer(_fci(df), command.p2)
        if command.p1 not in (_SELECT_BY_FID, _SELECT_CHILD_DF, _SELECT_CHILD_EF):
            return SW_WRONG_P1P2
        if len(command.data) != 2:
            return SW_WRONG_LENGTH
        fid = int.from_bytes(command.data, "big")
        if command.p1 == _SELECT_BY_FID and fid == MF_FID:
            self.current_df, self.current_ef = self.mf, None
            return self._answer(_fci(self.mf), command.p2)
        found = self.current_df.child_by_fid(fid)
        if found is None and command.p1 == _SELECT_BY_FID and self.current_df.parent is not None:
            found = self.current_df.parent.child_by_fid(fid)  # a sibling of the current DF
        if isinstance(found, ElementaryFile) and command.p1 != _SELECT_CHILD_DF:
            self.current_ef = found
            return self._answer(_fcp(found, self.fcp_size), command.p2)
        if isinstance(found, DedicatedFile) and command.p1 != _SELECT_CHILD_EF:
            self.current_df, self.current_ef = found, None
            return self._answer(_fci(found), command.p2)
        return SW_FILE_NOT_FOUND

    def _read_binary(self, command: Command) -> bytes:
        if command.data:
            return SW_WRONG_LENGTH
        if command.le is None:
            return SW_WRONG_LENGTH
        if command.p1 & 0x80:  # ISO/IEC 7816-4 § 7.2.2: b8=1, b5-b1 = SFI, P2 = offset
            if command.p1 & 0x60:
                return SW_WRONG_P1P2
            ef = self.current_df.ef_by_sfi(command.p1 & 0x1F)
            if ef is None:
                return SW_FILE_NOT_FOUND
            self.current_ef = ef
            offset = command.p2
        else:  # 15-bit offset in the current EF
            if self.current_ef is None:
                return SW_NOT_ALLOWED
            ef = self.current_ef
            offset = (command.p1 << 8) | command.p2
        available = len(ef.data) - offset
        if available <= 0:
            return SW_WRONG_OFFSET
        if command.le > available:
            return bytes([0x6C, available])
        return ef.data[offset : offset + command.le] + SW_OK

    def _get_response(self, command: Command) -> bytes:
        if command.p1 or command.p2:
            return SW_WRONG_P1P2
        if not self._pending:
            return SW_NOTHING_PENDING
        le = command.le or 256
        if le > len(self._pending):
            return bytes([0x6C, len(self._pending) & 0xFF])
        chunk, self._pending = self._pending[:le], self._pending[le:]
        if self._pending:
            return chunk + bytes([0x61, min(len(self._pending), 256) & 0xFF])
        return chunk + SW_OK
