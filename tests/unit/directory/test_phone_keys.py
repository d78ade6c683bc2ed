"""The directory's fast phone normaliser agrees with normalize_phone, block shortcuts included."""

from __future__ import annotations

import random

import pytest

from server.directory.phone_keys import phone_key
from shared.validation import ValidationFailure, normalize_phone


def _reference(text: str) -> str | None:
    try:
        return normalize_phone(text)
    except ValidationFailure:
        return None


def test_random_national_numbers_normalise_as_normalize_phone_does() -> None:
    rng = random.Random(20221107)
    prefixes = [f"0{a}" for a in range(100, 1000)]
    numbers = [p + f"{rng.randrange(10**6):06d}" for p in prefixes for _ in range(12)]
    rng.shuffle(numbers)
    mismatches = [(n, phone_key(n), _reference(n)) for n in numbers if phone_key(n) != _reference(n)]
    assert mismatches == []
    assert sum(phone_key(n) is not None for n in numbers) > len(numbers) // 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0761717229", "+33761717229"),
        ("07.61.71.72.29", "+33761717229"),
        ("0690 12 34 56", "+590690123456"),
        ("0262123456", "+262262123456"),
        ("0508412345", "+508412345"),
        ("+32 2 555 12 12", "+3225551212"),
        ("0000000000", None),
        ("", None),
        (None, None),
        ("12", None),
    ],
)
def test_usual_directory_notations(text: str | None, expected: str | None) -> None:
    assert phone_key(text) == expected
