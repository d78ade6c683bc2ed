import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.validation import InsOid, Nir, ValidationFailure, default_oid_for, nir_key, parse_nir


def _oracle_key(body: str) -> int:
    """Independent key computation: the usual textual substitution 2A -> 19, 2B -> 18."""
    body = body.upper()
    if body[5:7] == "2A":
        body = body[:5] + "19" + body[7:]
    elif body[5:7] == "2B":
        body = body[:5] + "18" + body[7:]
    return 97 - int(body) % 97


def _two(n: int) -> str:
    return f"{n:02d}"


def _three(n: int) -> str:
    return f"{n:03d}"


_metropolitan = st.tuples(
    st.sampled_from([_two(d) for d in range(1, 97)] + ["2A", "2B", "2a", "2b"]),
    st.integers(1, 999).map(_three),
)
_overseas = st.tuples(
    st.sampled_from([f"97{d}" for d in range(1, 9)] + [f"98{d}" for d in range(10)]),
    st.integers(1, 99).map(_two),
)
_abroad = st.tuples(st.just("99"), st.integers(100, 999).map(_three))

nir_parts = st.tuples(
    st.sampled_from("123478"),
    st.integers(0, 99).map(_two),
    st.sampled_from([*range(1, 13), *range(20, 43), *range(50, 100)]).map(_two),
    st.one_of(_metropolitan, _overseas, _abroad),
    st.integers(1, 999).map(_three),
)
nir_bodies = nir_parts.map(lambda p: p[0] + p[1] + p[2] + p[3][0] + p[3][1] + p[4])


def _fails(text: str, code: str) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as info:
        parse_nir(text)
    assert info.value.code == code
    assert info.value.message
    assert str(info.value) == info.value.message
    return info.value


# --- property-based -------------------------------------------------------------------------


@given(nir_parts)
def test_structurally_valid_body_with_its_key_parses(parts):
    sex, year, month, (department, commune), order = parts
    body = sex + year + month + department + commune + order
    key = nir_key(body)
    nir = parse_nir(body + _two(key))
    assert key == _oracle_key(body)
    assert 1 <= key <= 97
    assert nir.value == body.upper() + _two(key)
    assert nir.sex_digit == int(sex)
    assert nir.birth_year == int(year)
    assert nir.birth_month == int(month)
    assert nir.department == department.upper()
    assert nir.commune_or_country == commune
    assert nir.order == order
    assert nir.key == key
    assert nir.born_abroad == (department in ("99", "96"))
    assert nir.is_provisional == (sex in "3478")
    assert nir.sex == ("M" if sex in "137" else "F")


@given(nir_bodies, st.integers(0, 99))
def test_any_other_key_is_refused(body, wrong_key):
    if wrong_key == _oracle_key(body):
        wrong_key = (wrong_key % 97) + 1  # another key in 1..97
    _fails(body + _two(wrong_key), "nir_key_invalid")


@given(nir_bodies)
def test_formatted_round_trip(body):
    nir = parse_nir(body + _two(nir_key(body)))
    assert parse_nir(nir.formatted) == nir
    assert nir.formatted.replace(" ", "") == nir.value
    assert len(nir.formatted.split(" ")) == 7


@given(nir_bodies, st.lists(st.sampled_from(["", " ", ".", "-", "  ", " - "]), min_size=15, max_size=15))
def test_separators_anywhere_are_ignored(body, separators):
    value = body + _two(nir_key(body))
    typed = "".join(char + sep for char, sep in zip(value, separators, strict=True))
    assert parse_nir(typed) == parse_nir(value)


@given(nir_bodies)
def test_parse_is_idempotent_on_value(body):
    nir = parse_nir(body + _two(nir_key(body)))
    assert parse_nir(nir.value) == nir


# --- known numbers (every key below was computed, see _oracle_key) -----------------------------


@pytest.mark.parametrize(
    ("text", "department", "commune", "sex", "born_abroad"),
    [
        ("1 84 12 76 451 089 46", "76", "451", "M", False),  # the commonly published example
        ("2 55 08 14 168 025 38", "14", "168", "F", False),
        ("2 62 08 75 032 039 77", "75", "032", "F", False),
        ("2 95 10 99 126 111 93", "99", "126", "F", True),  # born abroad
        ("1 78 05 99 330 108 17", "99", "330", "M", True),
        ("1 80 01 99 990 001 47", "99", "990", "M", True),  # unknown country
        ("2 99 05 2A 202 817 58", "2A", "202", "F", False),
        ("2 99 05 2B 202 817 85", "2B", "202", "F", False),
        ("2 53 07 2A 073 004 43", "2A", "073", "F", False),
        ("253072B07300470", "2B", "073", "F", False),
        ("2 99 05 2a 202 817 58", "2A", "202", "F", False),  # lower case
        ("2 99 05 971 12 817 70", "971", "12", "F", False),  # Guadeloupe
        ("1 02 11 974 11 254 54", "974", "11", "M", False),  # La Réunion
        ("2 10 03 976 11 005 38", "976", "11", "F", False),  # Mayotte
        ("2 12 06 978 01 003 13", "978", "01", "F", False),  # Saint-Martin (decision: accepted)
        ("1 70 02 988 18 012 06", "988", "18", "M", False),  # Nouvelle-Calédonie
        ("1 55 03 20 004 012 26", "20", "004", "M", False),  # Corsica before 1976
        ("1 50 06 96 123 045 96", "96", "123", "M", True),  # Tunisia before 1956
    ],
)
def test_known_valid_nirs(text, department, commune, sex, born_abroad):
    nir = parse_nir(text)
    assert nir.department == department
    assert nir.commune_or_country == commune
    assert nir.sex == sex
    assert nir.born_abroad is born_abroad
    assert nir.key == int(text.replace(" ", "")[-2:])


def test_fields_of_the_published_example():
    nir = parse_nir("184127645108946")
    assert nir == Nir(
        value="184127645108946",
        sex_digit=1,
        birth_year=84,
        birth_month=12,
        department="76",
        commune_or_country="451",
        order="089",
        key=46,
        born_abroad=False,
        is_provisional=False,
    )
    assert nir.body == "1841276451089"
    assert nir.formatted == "1 84 12 76 451 089 46"


def test_overseas_formatting_groups_three_digit_department():
    assert parse_nir("299059711281770").formatted == "2 99 05 971 12 817 70"
    assert parse_nir("299052a20281758").formatted == "2 99 05 2A 202 817 58"


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("1 84 20 76 451 089 77", 20),
        ("1 84 35 76 451 089 26", 35),
        ("1 84 42 76 451 089 41", 42),
        ("1 84 50 76 451 089 72", 50),
        ("1 84 99 76 451 089 80", 99),
    ],
)
def test_fictitious_months_are_accepted(text, month):
    assert parse_nir(text).birth_month == month


@pytest.mark.parametrize(
    ("text", "sex", "provisional"),
    [
        ("7 91 04 99 217 034 06", "M", True),
        ("8 91 04 99 217 034 53", "F", True),
        ("3 91 04 99 217 034 12", "M", True),
        ("4 91 04 99 217 034 59", "F", True),
    ],
)
def test_temporary_numbers(text, sex, provisional):
    nir = parse_nir(text)
    assert nir.sex == sex
    assert nir.is_provisional is provisional
    assert default_oid_for(nir) is InsOid.NIA


# Every body below has its *correct* key, so only the named part is wrong.
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1 84 00 76 451 089 48", "nir_month_invalid"),
        ("1 84 13 76 451 089 62", "nir_month_invalid"),
        ("1 84 19 76 451 089 61", "nir_month_invalid"),
        ("1 84 43 76 451 089 57", "nir_month_invalid"),
        ("1 84 49 76 451 089 56", "nir_month_invalid"),
        ("0 84 12 76 451 089 96", "nir_sex_invalid"),
        ("5 84 12 76 451 089 40", "nir_sex_invalid"),
        ("6 84 12 76 451 089 87", "nir_sex_invalid"),
        ("9 84 12 76 451 089 34", "nir_sex_invalid"),
        ("1 84 12 00 451 089 61", "nir_department_invalid"),
        ("1 84 12 970 45 089 19", "nir_department_invalid"),
        ("1 84 12 979 45 089 82", "nir_department_invalid"),
        ("1 84 12 76 000 089 93", "nir_commune_invalid"),
        ("1 84 12 971 00 089 18", "nir_commune_invalid"),
        ("1 84 12 99 099 089 91", "nir_country_invalid"),
        ("1 84 12 76 451 000 38", "nir_order_invalid"),
        ("1 84 12 76 451 089 47", "nir_key_invalid"),
        ("1 84 12 76 451 089 00", "nir_key_invalid"),
        ("1 84 12 76 451 089 98", "nir_key_invalid"),
        ("2 99 05 2A 202 817 85", "nir_key_invalid"),  # the 2B key on a 2A number
        ("1 84 12 76 451 089", "nir_length"),
        ("1 84 12 76 451 089 466", "nir_length"),
        ("", "nir_missing"),
        (" - . ", "nir_missing"),
        ("1 84 12 76 451 O89 46", "nir_invalid_characters"),
        ("1 84 12 2C 451 089 46", "nir_invalid_characters"),
        ("1 84 12 3A 451 089 46", "nir_invalid_characters"),
        ("1 84 12 76 451 089 4/6", "nir_invalid_characters"),
    ],
)
def test_refused_nirs(text, code):
    _fails(text, code)


def test_length_message_is_the_specified_one():
    assert _fails("12345", "nir_length").message == "Le NIR doit comporter 15 caractères (13 + clé)"


def test_nir_key_of_published_examples():
    assert nir_key("1841276451089") == 46
    assert nir_key("2 99 05 2A 202 817") == 58
    assert nir_key("299052b202817") == 85
    assert nir_key("2990597112817") == 70


@pytest.mark.parametrize(
    ("text", "code"), [("184127645108", "nir_body_length"), ("18412764510X9", "nir_invalid_characters")]
)
def test_nir_key_refuses_malformed_bodies(text, code):
    with pytest.raises(ValidationFailure) as info:
        nir_key(text)
    assert info.value.code == code
    assert info.value.message
