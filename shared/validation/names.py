"""Person names: display cleaning, search keys and duplicate detection.

Two keys serve searching, the display form being stored untouched next to them:

* ``name_search_key`` — accent- and case-insensitive, punctuation turned into spaces, one space
  between tokens: compare it for equality or by token ("LE GOFF" matches "Le-Goff").
* ``name_compact_key`` — the same without any space: compare it with a prefix (SQL
  ``LIKE 'DAL%'``), so that typing "dal", "d'al" or "d al" finds "D'ALMEIDA" (key "DALMEIDA").
"""

from __future__ import annotations

import unicodedata
from typing import Final

from shared.validation.errors import ValidationFailure

# Letters that NFKD does not decompose into a base letter + accent.
_LIGATURES: Final = str.maketrans(
    {"Œ": "OE", "Æ": "AE", "ẞ": "SS", "Ø": "O", "Đ": "D", "Ð": "D", "Ł": "L", "Þ": "TH", "Ħ": "H", "Ŧ": "T"}
)
# Apostrophes become spaces. Most are punctuation or symbols anyway; ʼ and ʻ are "modifier
# letters" for Unicode and must be listed. Hyphens, dashes, underscores and dots are punctuation.
_APOSTROPHES: Final = frozenset("'’ʼ`‘´ʻ")
# Saint / Sainte are abbreviated or not depending on who typed the name.
_TOKEN_ALIASES: Final = {"SAINT": "ST", "SAINTE": "STE"}


def _strip_marks(text: str) -> str:
    # Drops accents and every other non-spacing or enclosing mark (incl. invisible ones such as
    # the combining grapheme joiner); spacing marks (Indic vowel signs) are kept.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Me"))


def _is_key_char(char: str) -> bool:
    # Letters, digits and spacing marks (needed by Indic scripts) of any script.
    return char not in _APOSTROPHES and unicodedata.category(char)[0] in "LNM"


def name_search_key(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form of a name, e.g. "Saint-Denis" -> "ST DENIS".

    NFKD without accents, upper case, Œ→OE Æ→AE ß→SS (and Ø Đ Ł Þ), apostrophes, hyphens, dashes,
    underscores, dots and any other punctuation become spaces, tokens SAINT/ST -> "ST" and
    SAINTE/STE -> "STE". Idempotent.
    """
    upper = _strip_marks(_strip_marks(text).upper()).translate(_LIGATURES)
    spaced = "".join(c if _is_key_char(c) else " " for c in upper)
    return " ".join(_TOKEN_ALIASES.get(token, token) for token in spaced.split())


def name_compact_key(text: str) -> str:
    """``name_search_key`` without spaces: the key for prefix search ("d'al" -> "DAL" ⊂ "DALMEIDA")."""
    return name_search_key(text).replace(" ", "")


# Besides letters and combining marks: spaces, apostrophes, hyphens, dots, and the zero-width
# (non-)joiners some scripts need inside a name (Persian, Indic).
_NAME_PUNCTUATION: Final = frozenset("'’ʼ-‐‑.") | {"\u200c", "\u200d"}


def _bad_characters(field: str) -> ValidationFailure:
    return ValidationFailure(
        "name_invalid_characters", f"Le champ « {field} » contient des caractères invalides"
    )


def clean_display_name(text: str, *, field: str, max_length: int = 100) -> str:
    """Trim and collapse whitespace, keeping case and accents as typed (NFC-composed).

    Refuses an empty value, one longer than ``max_length`` characters, and any character not
    plausible in a person's name (digits, control characters, @, commas, emoji…).
    """
    stripped = unicodedata.normalize("NFC", text).strip()
    if not stripped:
        raise ValidationFailure("name_required", f"Le champ « {field} » est obligatoire")
    has_letter = False
    for char in stripped:
        category = unicodedata.category(char)
        has_letter = has_letter or category[0] == "L"
        if category[0] not in "LM" and category != "Zs" and char not in _NAME_PUNCTUATION:
            raise _bad_characters(field)
    if not has_letter:
        raise _bad_characters(field)
    cleaned = " ".join(stripped.split())
    if len(cleaned) > max_length:
        raise ValidationFailure(
            "name_too_long", f"Le champ « {field} » ne doit pas dépasser {max_length} caractères"
        )
    return cleaned


def osa_distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance, optimal string alignment variant (adjacent swaps cost 1)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


_MIN_PREFIX: Final = 4
_MIN_TOKEN: Final = 3


def names_similar(a: str, b: str) -> bool:
    """Whether two names may designate the same person (duplicate detection, not identity).

    True when: the search keys are equal; or one compact key is a prefix of the other and has at
    least 4 characters; or all the tokens of one name appear in the other and one of them has at
    least 3 characters ("MARTIN" vs "MARTIN DUPONT"); or the OSA distance between the compact keys
    is <= 1 when the shorter has 4 to 7 characters, <= 2 when it has 8 or more.
    """
    key_a, key_b = name_search_key(a), name_search_key(b)
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    compact_a, compact_b = key_a.replace(" ", ""), key_b.replace(" ", "")
    short, long_ = sorted((compact_a, compact_b), key=len)
    if len(short) >= _MIN_PREFIX and long_.startswith(short):
        return True
    tokens_a, tokens_b = set(key_a.split()), set(key_b.split())
    for subset, superset in ((tokens_a, tokens_b), (tokens_b, tokens_a)):
        if subset <= superset and any(len(token) >= _MIN_TOKEN for token in subset):
            return True
    if len(short) < _MIN_PREFIX:
        return False
    return osa_distance(compact_a, compact_b) <= (1 if len(short) < 8 else 2)
