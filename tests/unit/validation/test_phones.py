import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shared.validation import ValidationFailure, format_phone_national, normalize_phone, phone_region

_OVERSEAS = {
    "0590": 590,
    "0690": 590,
    "0691": 590,
    "0596": 596,
    "0696": 596,
    "0697": 596,
    "0594": 594,
    "0694": 594,
    "0262": 262,
    "0263": 262,
    "0692": 262,
    "0693": 262,
    "0269": 262,
    "0639": 262,
}
_OVERSEAS_REGION = {"0590": "GP", "0690": "GP", "0691": "GP", "0596": "MQ", "0696": "MQ", "0697": "MQ"} | {
    "0594": "GF",
    "0694": "GF",
    "0262": "RE",
    "0263": "RE",
    "0692": "RE",
    "0693": "RE",
    "0269": "YT",
    "0639": "YT",
}


def _pairs(national: str, sep: str) -> str:
    return sep.join(national[i : i + 2] for i in range(0, 10, 2))


def renderings(national: str) -> list[str]:
    """Every usual way of writing the 10-digit French national number ``national``."""
    nsn = national[1:]
    grouped_nsn = nsn[0] + " " + _pairs("0" + nsn, " ")[3:]  # "7 61 71 72 29"
    return [
        _pairs(national, "."),
        _pairs(national, " "),
        national,
        "+33" + nsn,
        "+33 " + grouped_nsn,
        "+33 (0)" + grouped_nsn,
        "0033" + nsn,
        _pairs(national, "-"),
    ]


def _fails(text: str, code: str) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as info:
        normalize_phone(text)
    assert info.value.code == code
    assert info.value.message
    return info.value


# --- property-based -------------------------------------------------------------------------

_digits8 = st.text("0123456789", min_size=8, max_size=8)


@given(st.sampled_from("12345679"), _digits8)
def test_every_notation_of_a_mainland_number_gives_the_same_e164(first, rest):
    national = "0" + first + rest
    assume(national[:4] not in _OVERSEAS and national[:4] not in ("0508", "0709"))
    # Oracle: the phonenumbers metadata says it is a valid mainland French number.
    assume(phonenumbers.is_valid_number(phonenumbers.parse(national, "FR")))
    expected = "+33" + national[1:]
    for text in renderings(national):
        assert normalize_phone(text) == expected, text
    assert format_phone_national(expected) == _pairs(national, " ")
    assert phone_region(expected) == "FR"


@given(st.sampled_from(sorted(_OVERSEAS)), st.text("0123456789", min_size=6, max_size=6))
def test_every_notation_of_an_overseas_number_gives_its_own_country_code(prefix, rest):
    national = prefix + rest
    region = _OVERSEAS_REGION[prefix]
    assume(phonenumbers.is_valid_number(phonenumbers.parse(national, region)))
    expected = f"+{_OVERSEAS[prefix]}{national[1:]}"
    for text in renderings(national):
        assert normalize_phone(text) == expected, text
    assert format_phone_national(expected) == _pairs(national, " ")


def _normalize_or_failure(text: str) -> str | ValidationFailure:
    try:
        return normalize_phone(text)
    except ValidationFailure as exc:
        return exc


@given(
    st.sampled_from(["0", "+33", "0033", "+590", "+262", "+32", "+41", "+44", ""]),
    _digits8 | _digits8.map(lambda d: d + "9"),
)
def test_normalisation_is_idempotent(prefix, digits):
    once = _normalize_or_failure(prefix + digits)
    if isinstance(once, ValidationFailure):
        assert once.code in {"phone_invalid", "phone_too_short", "phone_too_long"}
        assert once.message.startswith("Numéro de téléphone invalide : ")
        return
    assert once.startswith("+")
    assert once[1:].isdigit()
    assert normalize_phone(once) == once
    assert normalize_phone(format_phone_national(once)) == once


# --- tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "07.61.71.72.29",
        "07 61 71 72 29",
        "0761717229",
        "+33761717229",
        "+33 7 61 71 72 29",
        "+33 (0)7 61 71 72 29",
        "0033761717229",
        "07-61-71-72-29",
        "07/61/71/72/29",
        " 07 61 71 72 29\n",
        "\u00a007\u202f61 71 72 29",
        "０７６１７１７２２９",  # full-width digits
    ],
)
def test_usual_notations_of_a_mobile(text):
    assert normalize_phone(text) == "+33761717229"


@pytest.mark.parametrize(
    ("text", "e164", "region", "display"),
    [
        ("0590 20 12 34", "+590590201234", "GP", "05 90 20 12 34"),
        ("06 90 00 12 34", "+590690001234", "GP", "06 90 00 12 34"),
        ("06 91 22 12 34", "+590691221234", "GP", "06 91 22 12 34"),
        ("05 96 30 12 34", "+596596301234", "MQ", "05 96 30 12 34"),
        ("06 96 20 12 34", "+596696201234", "MQ", "06 96 20 12 34"),
        ("06 97 12 34 56", "+596697123456", "MQ", "06 97 12 34 56"),
        ("05 94 10 12 34", "+594594101234", "GF", "05 94 10 12 34"),
        ("06 94 20 12 34", "+594694201234", "GF", "06 94 20 12 34"),
        ("02 62 16 12 34", "+262262161234", "RE", "02 62 16 12 34"),
        ("02 63 12 34 56", "+262263123456", "RE", "02 63 12 34 56"),
        ("06 92 12 34 56", "+262692123456", "RE", "06 92 12 34 56"),
        ("06 93 12 34 56", "+262693123456", "RE", "06 93 12 34 56"),
        ("02 69 60 12 34", "+262269601234", "YT", "02 69 60 12 34"),
        ("06 39 01 23 45", "+262639012345", "YT", "06 39 01 23 45"),
        ("05 08 41 23 45", "+508412345", "PM", "+508 41 23 45"),
        ("+590 690 00 12 34", "+590690001234", "GP", "06 90 00 12 34"),
        ("+596 696 20 12 34", "+596696201234", "MQ", "06 96 20 12 34"),
        ("+262 639 01 23 45", "+262639012345", "YT", "06 39 01 23 45"),
        ("+508 41 23 45", "+508412345", "PM", "+508 41 23 45"),
        ("+33 6 90 00 12 34", "+590690001234", "GP", "06 90 00 12 34"),  # overseas range written with +33
        ("07 09 01 23 45", "+590709012345", "GP", "07 09 01 23 45"),  # new overseas mobile range
    ],
)
def test_overseas_numbers(text, e164, region, display):
    assert normalize_phone(text) == e164
    assert phone_region(e164) == region
    assert format_phone_national(e164) == display


@pytest.mark.parametrize(
    ("text", "e164", "region", "display"),
    [
        ("01 40 00 00 00", "+33140000000", "FR", "01 40 00 00 00"),
        ("09 70 00 00 00", "+33970000000", "FR", "09 70 00 00 00"),
        ("0800 12 34 56", "+33800123456", "FR", "08 00 12 34 56"),
        ("+32 475 12 34 56", "+32475123456", "BE", "+32 475 12 34 56"),
        ("0032 475 12 34 56", "+32475123456", "BE", "+32 475 12 34 56"),
        ("+41 79 123 45 67", "+41791234567", "CH", "+41 79 123 45 67"),
        ("+44 7400 123456", "+447400123456", "GB", "+44 7400 123456"),
        ("+590 800 00 00 09", "+590800000009", "GP", "+590 800 00 00 09"),  # "08 00…" would be mainland
    ],
)
def test_mainland_and_foreign_numbers(text, e164, region, display):
    assert normalize_phone(text) == e164
    assert phone_region(e164) == region
    assert format_phone_national(e164) == display


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "phone_missing"),
        ("   ", "phone_missing"),
        ("+", "phone_missing"),
        ("07 61 AB 72 29", "phone_invalid_characters"),
        ("tél. 07 61 71 72 29", "phone_invalid_characters"),
        ("07#61", "phone_invalid_characters"),
        ("07 61 71 72 29 +1", "phone_invalid_characters"),
        ("0761", "phone_too_short"),
        ("+33 7 61", "phone_too_short"),
        ("076171722900", "phone_too_long"),
        ("+33 7 61 71 72 29 99", "phone_too_long"),
        ("761717229", "phone_invalid"),
        ("07 00 00 00 00", "phone_invalid"),
        ("06 39 88 12 34", "phone_invalid"),
        ("06 94 39 12 34", "phone_invalid"),
        ("+999 123 456", "phone_invalid"),
    ],
)
def test_refused_numbers(text, code):
    _fails(text, code)


def test_specified_messages():
    assert _fails("", "phone_missing").message == "Numéro de téléphone manquant"
    assert _fails("07 61 AB", "phone_invalid_characters").message == (
        "Le numéro de téléphone contient des caractères invalides"
    )
    for text, code in (("0761", "phone_too_short"), ("07 00 00 00 00", "phone_invalid")):
        assert _fails(text, code).message.startswith("Numéro de téléphone invalide : ")


def test_display_helpers_refuse_garbage():
    for helper in (format_phone_national, phone_region):
        with pytest.raises(ValidationFailure) as info:
            helper("not a number")
        assert info.value.code == "phone_invalid_characters"
        assert info.value.message
