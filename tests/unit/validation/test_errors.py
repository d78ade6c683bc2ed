import pickle

import pytest

import shared.validation
from shared.validation import ValidationFailure


def test_validation_failure_carries_code_and_french_message():
    exc = ValidationFailure("nir_key_invalid", "La clé du NIR est invalide")
    assert isinstance(exc, ValueError)
    assert exc.code == "nir_key_invalid"
    assert exc.message == "La clé du NIR est invalide"
    assert str(exc) == exc.message
    assert exc.args == ("La clé du NIR est invalide",)
    assert "nir_key_invalid" in repr(exc)


def test_validation_failure_is_raised_and_caught_as_value_error():
    with pytest.raises(ValueError, match="clé"):
        raise ValidationFailure("nir_key_invalid", "La clé du NIR est invalide")


def test_validation_failure_survives_pickling():
    copy = pickle.loads(pickle.dumps(ValidationFailure("phone_missing", "Numéro de téléphone manquant")))
    assert isinstance(copy, ValidationFailure)
    assert (copy.code, copy.message) == ("phone_missing", "Numéro de téléphone manquant")
    assert str(copy) == "Numéro de téléphone manquant"


def test_package_exports_exactly_its_public_api():
    exported = set(shared.validation.__all__)
    assert exported == {name for name in dir(shared.validation) if not name.startswith("_")} - {
        "enrolment",
        "errors",
        "identifiers",
        "identity_vigilance",
        "names",
        "nir",
        "phones",
    }
    expected = {"parse_nir", "normalize_phone", "name_search_key", "validate_rpps", "ValidationFailure"}
    assert expected <= exported
