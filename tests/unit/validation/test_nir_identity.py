"""check_nir_matches_identity and the INS OIDs of shared.validation.nir (split from test_nir for size)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.validation import (
    OID_DEMO,
    OID_NIA,
    OID_NIR,
    OID_TEST,
    InsOid,
    ValidationFailure,
    check_nir_matches_identity,
    default_oid_for,
    nir_key,
    parse_nir,
    validate_ins_oid,
)

# --- identity consistency -----------------------------------------------------------------------

_PUBLISHED = parse_nir("1 84 12 76 451 089 46")


@pytest.mark.parametrize(
    ("sex", "birth_date"),
    [
        ("M", datetime.date(1984, 12, 3)),
        ("U", datetime.date(1984, 12, 31)),
        ("M", datetime.date(1884, 12, 1)),  # the NIR only holds 2 digits of the year
    ],
)
def test_identity_matches(sex, birth_date):
    check_nir_matches_identity(_PUBLISHED, sex, birth_date)


@pytest.mark.parametrize(
    ("nir", "sex", "birth_date", "code"),
    [
        (_PUBLISHED, "F", datetime.date(1984, 12, 3), "nir_sex_mismatch"),
        (_PUBLISHED, "M", datetime.date(2012, 12, 3), "nir_birth_year_mismatch"),  # parent's card, child
        (_PUBLISHED, "U", datetime.date(1985, 12, 3), "nir_birth_year_mismatch"),
        (_PUBLISHED, "M", datetime.date(1984, 11, 3), "nir_birth_month_mismatch"),
        (_PUBLISHED, "X", datetime.date(1984, 12, 3), "sex_invalid"),
        (parse_nir("8 91 04 99 217 034 53"), "M", datetime.date(1991, 4, 1), "nir_sex_mismatch"),
    ],
)
def test_identity_mismatches(nir, sex, birth_date, code):
    with pytest.raises(ValidationFailure) as info:
        check_nir_matches_identity(nir, sex, birth_date)
    assert info.value.code == code
    assert info.value.message


def test_year_message_is_the_specified_one():
    with pytest.raises(ValidationFailure, match="Le NIR ne correspond pas à l'année de naissance"):
        check_nir_matches_identity(_PUBLISHED, "M", datetime.date(2012, 12, 3))


@given(st.dates(), st.sampled_from([*range(20, 43), *range(50, 100)]))
def test_fictitious_month_never_compared(birth_date, month):
    body = f"1{birth_date.year % 100:02d}{month:02d}76451089"
    nir = parse_nir(body + f"{nir_key(body):02d}")
    assert nir.birth_month == month
    check_nir_matches_identity(nir, "M", birth_date)


# --- INS OIDs -----------------------------------------------------------------------------------


def test_oid_constants():
    assert [OID_NIR, OID_NIA, OID_TEST, OID_DEMO] == [
        "1.2.250.1.213.1.4.8",
        "1.2.250.1.213.1.4.9",
        "1.2.250.1.213.1.4.10",
        "1.2.250.1.213.1.4.11",
    ]
    assert [oid.value for oid in InsOid] == [OID_NIR, OID_NIA, OID_TEST, OID_DEMO]


def test_default_oid_of_a_definitive_nir_is_nir():
    assert default_oid_for(_PUBLISHED) is InsOid.NIR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2.250.1.213.1.4.8", InsOid.NIR),
        (" 1.2.250.1.213.1.4.9 ", InsOid.NIA),
        ("urn:oid:1.2.250.1.213.1.4.10", InsOid.TEST),
        ("URN:OID:1.2.250.1.213.1.4.11", InsOid.DEMO),
    ],
)
def test_validate_ins_oid(text, expected):
    assert validate_ins_oid(text) is expected


@pytest.mark.parametrize(
    "text", ["", "1.2.250.1.213.1.4.12", "1.2.250.1.213.1.4", "NIR", "1.2.250.1.213.1.4.8.1"]
)
def test_unknown_ins_oid(text):
    with pytest.raises(ValidationFailure, match="OID INS inconnu") as info:
        validate_ins_oid(text)
    assert info.value.code == "ins_oid_unknown"
