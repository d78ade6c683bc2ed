"""Phone numbers of the directory in E.164, fast enough for two million rows.

``normalize_phone`` costs about 50 µs (phonenumbers' metadata); the extraction's numbers are
French national numbers of ten digits. Whether such a number is valid and which country code it
takes (mainland or an overseas département) depends only on its first digits — the numbering plan
assigns blocks; the longest prefixes that matter are six digits after the 0 (e.g. 0691 22…) —
so the outcome is computed once per seven-character prefix and reused. Anything else goes
through ``normalize_phone`` itself.
"""

from __future__ import annotations

from typing import Final

from shared.validation import ValidationFailure, normalize_phone

_PREFIX_LENGTH: Final = 7
_INVALID: Final = "!"
_SLOW: Final = ""
_country_prefix: dict[str, str] = {}


def _slow(text: str) -> str | None:
    try:
        return normalize_phone(text)
    except ValidationFailure:
        return None


def phone_key(text: str | None) -> str | None:
    """E.164 form of a directory phone field, None when empty or not a valid number."""
    if not text:
        return None
    digits = text.replace(" ", "").replace(".", "").replace("-", "")
    if len(digits) != 10 or not digits.isdigit() or digits[0] != "0":
        return _slow(text)
    prefix = digits[:_PREFIX_LENGTH]
    known = _country_prefix.get(prefix)
    if known is None:
        e164 = _slow(digits)
        if e164 is None:
            known = _INVALID
        elif e164.endswith(digits[1:]):
            known = e164[: -len(digits[1:])]
        else:
            known = _SLOW  # e.g. Saint-Pierre-et-Miquelon, whose own plan is shorter
        _country_prefix[prefix] = known
        return e164
    if known == _INVALID:
        return None
    if known == _SLOW:
        return _slow(digits)
    return known + digits[1:]
