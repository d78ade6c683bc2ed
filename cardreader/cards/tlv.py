"""BER-TLV decoding (ISO/IEC 7816-4 § 5.2 "BER-TLV data objects", itself ITU-T X.690 § 8.1).

Rules applied (ISO/IEC 7816-4 § 5.2 unless stated):
* tag: first byte; if its 5 low bits are all 1 the tag continues on following bytes, each with
  bit 8 set except the last one. Bit 6 of the first byte marks a constructed object.
* length: one byte 00-7F, or 81/82/83/84 followed by 1-4 length bytes (the indefinite form 80
  is not used by ISO 7816 cards and is refused).
* bytes 00 and FF between data objects are padding and are skipped (ISO/IEC 7816-4 § 5.2).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cardreader.errors import CardDataError

MAX_DEPTH = 8  # far deeper than any card layout here; bounds recursion on hostile input
_PADDING = (0x00, 0xFF)
_MAX_TAG_BYTES = 4
_MAX_LENGTH_BYTES = 4


@dataclass(frozen=True, slots=True)
class Tlv:
    tag: int  # the tag bytes as one big-endian integer, e.g. 0x65, 0x5F37, 0x7F21
    value: bytes
    children: tuple[Tlv, ...] | None  # parsed value of a constructed object, else None

    @property
    def constructed(self) -> bool:
        return self.children is not None

    def find_all(self, tag: int) -> Iterator[Tlv]:
        """Direct children with this tag, in order."""
        for child in self.children or ():
            if child.tag == tag:
                yield child

    def first(self, tag: int) -> Tlv | None:
        return next(self.find_all(tag), None)


def _read_tag(data: bytes, pos: int) -> tuple[int, bool, int]:
    first = data[pos]
    constructed = bool(first & 0x20)
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:
        for count in range(_MAX_TAG_BYTES):
            if pos >= len(data):
                raise CardDataError(f"BER-TLV: tag truncated at {pos}")
            byte = data[pos]
            tag = (tag << 8) | byte
            pos += 1
            if not byte & 0x80:
                break
            if count == _MAX_TAG_BYTES - 1:
                raise CardDataError("BER-TLV: tag too long")
    return tag, constructed, pos


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise CardDataError(f"BER-TLV: length missing at {pos}")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0 or count > _MAX_LENGTH_BYTES:
        raise CardDataError(f"BER-TLV: unsupported length form {first:02X}")
    if pos + count > len(data):
        raise CardDataError("BER-TLV: length truncated")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def parse_tlv(data: bytes, depth: int = 0) -> tuple[Tlv, ...]:
    """All data objects of ``data`` in order; constructed ones are parsed recursively."""
    if depth > MAX_DEPTH:
        raise CardDataError("BER-TLV: nesting too deep")
    objects: list[Tlv] = []
    pos = 0
    while pos < len(data):
        if data[pos] in _PADDING:
            pos += 1
            continue
        tag, constructed, pos = _read_tag(data, pos)
        length, pos = _read_length(data, pos)
        if pos + length > len(data):
            raise CardDataError(f"BER-TLV: value of tag {tag:X} overruns the data ({length} bytes)")
        value = data[pos : pos + length]
        pos += length
        children = parse_tlv(value, depth + 1) if constructed else None
        objects.append(Tlv(tag, value, children))
    return tuple(objects)


def encode_tlv(tag: int, value: bytes) -> bytes:
    """One data object (used by the emulator to build card files)."""
    tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    length = len(value)
    if length < 0x80:
        length_bytes = bytes([length])
    else:
        size = (length.bit_length() + 7) // 8
        length_bytes = bytes([0x80 | size]) + length.to_bytes(size, "big")
    return tag_bytes + length_bytes + value
