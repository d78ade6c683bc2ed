"""Phone numbers of the directory in E.164, fast enough for two million rows.

``normalize_phone`` costs about 50 µs (phonenumbers' metadata) and the extraction holds about
two million numbers, nearly all French national numbers of ten digits. Whether such a number is
valid and which country code it takes depends on its first digits only: the numbering plan
allocates by blocks. So:

* a mainland geographic or mobile number (01–06, 073–079) found valid makes its whole four-digit
  block (e.g. 0145) known mainland: every later number of the block is "+33" + 9 digits;
* other numbers (overseas blocks such as 0690/0691, 07 0x, 08, 09) are decided once per
  seven-digit prefix, the longest prefix the overseas plans use;
* anything else (foreign numbers, odd lengths) goes through ``normalize_phone`` itself.

tests/unit/directory/test_phone_keys.py checks that the result equals ``normalize_phone``'s.
"""

from __future__ import annotations

from typing import Final

from shared.validation import ValidationFailure, normalize_phone

_LONG_PREFIX: Final = 7
_INVALID: Final = "!"
_SLOW: Final = ""
_MAINLAND_BLOCK_STARTS: Final = (
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "073",
    "074",
    "075",
    "076",
    "077",
    "078",
    "079",
)
_mainland_blocks: set[str] = set()
_country_prefix: dict[str, str] = {}


def _slow(text: str) -> str | None:
    try:
        return normalize_phone(text)
    except ValidationFailure:
        return None


def _learn(digits: str) -> str | None:
    e164 = _slow(digits)
    if e164 is None:
        known = _INVALID
    elif e164.endswith(digits[1:]):
        known = e164[: -len(digits[1:])]
        if known == "+33" and digits.startswith(_MAINLAND_BLOCK_STARTS):
            _mainland_blocks.add(digits[:4])
    else:
        known = _SLOW  # e.g. Saint-Pierre-et-Miquelon, whose own plan is shorter
    _country_prefix[digits[:_LONG_PREFIX]] = known
    return e164


def phone_key(text: str | None) -> str | None:
    """E.164 form of a directory phone field, None when empty or not a valid number."""
    if not text:
        return None
    digits = text.replace(" ", "").replace(".", "").replace("-", "")
    if len(digits) != 10 or not digits.isdigit() or digits[0] != "0":
        return _slow(text)
    if digits[:4] in _mainland_blocks:
        return "+33" + digits[1:]
    known = _country_prefix.get(digits[:_LONG_PREFIX])
    if known is None:
        return _learn(digits)
    if known == _INVALID:
        return None
    if known == _SLOW:
        return _slow(digits)
    return known + digits[1:]
