import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.validation import (
    ValidationFailure,
    clean_display_name,
    name_compact_key,
    name_search_key,
    names_similar,
    osa_distance,
)

# --- search keys: tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Hélène", "HELENE"),
        ("D'ALMEIDA", "D ALMEIDA"),
        ("d’Almeida", "D ALMEIDA"),
        ("Dʼalmeida", "D ALMEIDA"),
        ("D`Almeida", "D ALMEIDA"),
        ("Le-Goff", "LE GOFF"),
        ("Le–Goff", "LE GOFF"),  # en dash
        ("Saint-Denis", "ST DENIS"),
        ("St Denis", "ST DENIS"),
        ("st.-denis", "ST DENIS"),
        ("Sainte-Anne", "STE ANNE"),
        ("Ste Anne", "STE ANNE"),
        ("Œuvray", "OEUVRAY"),
        ("cœur", "COEUR"),
        ("Lætitia", "LAETITIA"),
        ("Strauß", "STRAUSS"),
        ("Łukasz Øberg", "LUKASZ OBERG"),
        ("  jean_luc   pierre. ", "JEAN LUC PIERRE"),
        ("Ÿvonne Ñuñez", "YVONNE NUNEZ"),
        ("Ιωάννης", "ΙΩΑΝΝΗΣ"),
        ("'-.", ""),
        ("", ""),
    ],
)
def test_search_key(text, key):
    assert name_search_key(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [("D'ALMEIDA", "DALMEIDA"), ("Le-Goff", "LEGOFF"), ("Saint-Denis", "STDENIS"), ("d al", "DAL")],
)
def test_compact_key(text, key):
    assert name_compact_key(text) == key


def test_compact_key_makes_prefix_search_natural():
    stored = name_compact_key("D'ALMEIDA")
    for typed in ("dal", "d'al", "D AL", "d-alm", "Dalmeida"):
        assert stored.startswith(name_compact_key(typed)), typed


# --- search keys: properties --------------------------------------------------------------------


@given(st.text())
def test_search_key_is_idempotent(text):
    key = name_search_key(text)
    assert name_search_key(key) == key
    assert name_compact_key(key) == name_compact_key(text)
    assert "  " not in key
    assert key == key.strip()


_ACCENTS = [chr(c) for c in range(0x0300, 0x0370)]
_decorated_letter = st.tuples(
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    st.booleans(),
    st.lists(st.sampled_from(_ACCENTS), max_size=2),
)
_separator = st.sampled_from([" ", "-", "'", "’", "."])


@given(st.lists(st.one_of(_decorated_letter, _separator), max_size=30), st.booleans())
def test_search_key_ignores_accents_and_case(items, compose):
    plain = "".join(item if isinstance(item, str) else item[0] for item in items)
    decorated = "".join(
        item if isinstance(item, str) else (item[0].upper() if item[1] else item[0]) + "".join(item[2])
        for item in items
    )
    if compose:
        decorated = unicodedata.normalize("NFC", decorated)
    assert name_search_key(decorated) == name_search_key(plain)
    assert name_search_key(plain.upper()) == name_search_key(plain.lower())


@given(st.text(), st.text())
def test_similarity_is_symmetric(a, b):
    assert names_similar(a, b) == names_similar(b, a)


@given(st.text())
def test_similarity_is_reflexive_for_real_names(text):
    assert names_similar(text, text) == bool(name_search_key(text))


# --- similarity: tables -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hélène Dupont", "HELENE DUPONT"),
        ("Le Goff", "Le-Goff"),
        ("Saint-Denis", "St Denis"),
        ("DALM", "D'Almeida"),  # compact prefix, 4 letters
        ("MARTIN", "Martin Dupont"),  # full token set of one name
        ("Dupont Martin", "MARTIN"),
        ("Dupont", "Dupond"),  # 1 substitution, 6 letters
        ("Bernard", "Benrard"),  # 1 transposition
        ("Lefèvre", "Lefebvre"),  # 1 insertion
        ("Dominguez", "Domingues"),  # 9 letters: up to 2 edits
        ("Christophe", "Christofe"),  # PH -> F: 2 edits, allowed from 8 letters
        ("Leon", "Leoni"),
    ],
)
def test_similar_names(a, b):
    assert names_similar(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dubois", "Durand"),
        ("DAL", "D'Almeida"),  # prefix too short
        ("Lea", "Leo"),  # too short for a fuzzy match
        ("Rose", "Rosa Maria"),  # 1 edit but on different token sets: "ROSE" vs "ROSAMARIA"
        ("DE", "DE LA TOUR"),  # only tokens shorter than 3 letters... and "DE" too short a prefix
        ("Martin", "Marchand"),
        ("Dupont", "Dupuis"),  # 2 edits on 6 letters
        ("Guillaume", "Gulaume"),  # 2 edits, but the shorter key has only 7 letters
        ("", ""),
        ("'", "'"),
    ],
)
def test_dissimilar_names(a, b):
    assert not names_similar(a, b)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("ABC", "", 3),
        ("KITTEN", "SITTING", 3),
        ("ABCD", "ACBD", 1),
        ("BERNARD", "BENRARD", 1),
        ("CA", "ABC", 3),  # OSA, unlike unrestricted Damerau–Levenshtein (2)
        ("LEFEVRE", "LEFEBVRE", 1),
    ],
)
def test_osa_distance(a, b, distance):
    assert osa_distance(a, b) == distance
    assert osa_distance(b, a) == distance


@given(st.text(max_size=12), st.text(max_size=12))
def test_osa_distance_bounds(a, b):
    d = osa_distance(a, b)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)


# --- display names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("  jean   pierre ", "jean pierre"),
        ("Zoë", "Zoë"),
        ("Zoe\u0308", "Zoë"),  # decomposed input is composed (NFC), still the same letters
        ("O'Neil-Smith", "O'Neil-Smith"),
        ("D’ALMEIDA", "D’ALMEIDA"),
        ("J.-P.", "J.-P."),
        ("Le\u00a0Goff", "Le Goff"),
        ("Ιωάννης", "Ιωάννης"),
        ("李小龍", "李小龍"),
        ("Müller-Lüdenscheidt", "Müller-Lüdenscheidt"),
    ],
)
def test_clean_display_name(text, cleaned):
    assert clean_display_name(text, field="Nom") == cleaned


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "name_required"),
        ("   ", "name_required"),
        ("Jean2", "name_invalid_characters"),
        ("jean@example.org", "name_invalid_characters"),
        ("Dupont, Jean", "name_invalid_characters"),
        ("Jean\tPierre", "name_invalid_characters"),
        ("Jean\x00", "name_invalid_characters"),
        ("Jean 🙂", "name_invalid_characters"),
        ("--", "name_invalid_characters"),
        ("x" * 101, "name_too_long"),
    ],
)
def test_refused_display_names(text, code):
    with pytest.raises(ValidationFailure) as info:
        clean_display_name(text, field="Nom de naissance")
    assert info.value.code == code
    assert "« Nom de naissance »" in info.value.message


def test_display_name_messages_and_max_length():
    with pytest.raises(ValidationFailure, match=r"^Le champ « Prénom » est obligatoire$"):
        clean_display_name(" ", field="Prénom")
    with pytest.raises(ValidationFailure, match=r"^Le champ « Prénom » contient des caractères invalides$"):
        clean_display_name("R2D2", field="Prénom")
    assert clean_display_name("a" * 10, field="Prénom", max_length=10) == "a" * 10
    with pytest.raises(ValidationFailure) as info:
        clean_display_name("a" * 11, field="Prénom", max_length=10)
    assert info.value.code == "name_too_long"
    assert "10" in info.value.message


def _clean_or_failure(text: str) -> str | ValidationFailure:
    try:
        return clean_display_name(text, field="Nom")
    except ValidationFailure as exc:
        return exc


@given(st.text())
def test_clean_display_name_is_idempotent(text):
    cleaned = _clean_or_failure(text)
    if isinstance(cleaned, ValidationFailure):
        assert cleaned.code in {"name_required", "name_invalid_characters", "name_too_long"}
        assert cleaned.message
        return
    assert clean_display_name(cleaned, field="Nom") == cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert 0 < len(cleaned) <= 100
