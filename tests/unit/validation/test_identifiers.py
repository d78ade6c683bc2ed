from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.validation import (
    ValidationFailure,
    luhn_is_valid,
    parse_national_id,
    validate_adeli,
    validate_rpps,
)

REAL_RPPS = ["10001045367", "10002241056", "10000874494", "10000618727"]


def _oracle_luhn_digit(payload: str) -> str:
    """Check digit written the textbook way: double every second digit from the right, sum digits."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += sum(int(d) for d in str(value))
    return str((10 - total % 10) % 10)


def _fails(function: Callable[[str], object], text: str, code: str) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as info:
        function(text)
    assert info.value.code == code
    assert info.value.message
    return info.value


@pytest.mark.parametrize("rpps", REAL_RPPS)
def test_real_rpps_numbers(rpps):
    assert validate_rpps(rpps) == rpps
    assert validate_rpps(f"{rpps[:3]} {rpps[3:7]} {rpps[7:]}") == rpps
    assert parse_national_id("8" + rpps) == ("rpps", rpps)


@given(st.text("0123456789", min_size=10, max_size=10), st.integers(0, 9))
def test_rpps_luhn_property(payload, other):
    good = payload + _oracle_luhn_digit(payload)
    assert validate_rpps(good) == good
    assert luhn_is_valid(good)
    bad = payload + str(other)
    if bad != good:
        _fails(validate_rpps, bad, "rpps_key_invalid")


@given(st.text("0123456789", min_size=10, max_size=10), st.integers(0, 10), st.sampled_from("0123456789"))
def test_luhn_catches_every_single_digit_error(payload, position, digit):
    rpps = payload + _oracle_luhn_digit(payload)
    altered = rpps[:position] + digit + rpps[position + 1 :]
    assert luhn_is_valid(altered) == (altered == rpps)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("10001045368", "rpps_key_invalid"),
        ("10001045376", "rpps_key_invalid"),  # swapped last two digits
        ("1000104536", "rpps_format"),
        ("100010453670", "rpps_format"),
        ("1000104536A", "rpps_format"),
        ("", "rpps_format"),
        ("١٠٠٠١٠٤٥٣٦٧", "rpps_format"),  # Arabic-Indic digits are not accepted
    ],
)
def test_refused_rpps(text, code):
    _fails(validate_rpps, text, code)


def test_rpps_messages():
    assert _fails(validate_rpps, "123", "rpps_format").message == "Le numéro RPPS doit comporter 11 chiffres"
    assert _fails(validate_rpps, "10001045368", "rpps_key_invalid").message == (
        "Numéro RPPS invalide (clé de contrôle)"
    )


@pytest.mark.parametrize("adeli", ["751234567", "011234564", "971012345"])
def test_adeli_format(adeli):
    assert validate_adeli(adeli) == adeli
    assert validate_adeli(f"{adeli[:2]} {adeli[2:4]} {adeli[4:]}") == adeli
    assert parse_national_id("0" + adeli) == ("adeli", adeli)


@pytest.mark.parametrize("text", ["75123456", "7512345678", "75123456A", "", "2A1234567"])
def test_refused_adeli(text):
    assert "9 chiffres" in _fails(validate_adeli, text, "adeli_format").message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "national_id_missing"),
        ("8 1000 1045 368", "rpps_key_invalid"),
        ("81000104536", "national_id_length"),
        ("8100010453670", "national_id_length"),
        ("075123456", "national_id_length"),
        ("07512345678", "national_id_length"),
        ("310001045367", "national_id_type_unknown"),
        ("10001045367", "national_id_type_unknown"),  # a bare RPPS lacks its type digit
        ("8-1000104536X", "national_id_format"),
    ],
)
def test_refused_national_ids(text, code):
    _fails(parse_national_id, text, code)


def test_national_id_with_separators():
    assert parse_national_id(" 8 10001045367 ") == ("rpps", "10001045367")
    assert parse_national_id("0.75.12.34567") == ("adeli", "751234567")
