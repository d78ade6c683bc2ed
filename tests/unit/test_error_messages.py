"""Validation errors read as French sentences naming the field the user sees."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from server.validation_messages import translate_validation_error
from shared.schemas.admin import ProfessionalPatch
from shared.schemas.dispatch import CaseCreate
from shared.schemas.labels import field_label
from shared.schemas.patients import PatientPatch


def _errors(model: type[BaseModel], body: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return [translate_validation_error(dict(e)) for e in caught.value.errors()]


def test_items_of_a_list_are_named_one_by_one() -> None:
    assert field_label(["prescriptions", 1, "comment"]) == "Déclenchement 2 › Commentaire"
    assert field_label(["prescriptions", 0]) == "Déclenchement 1"
    assert field_label(["notification_windows", 2, "start"]) == "Plage 3 › Début"
    assert field_label(["unknown_things", 0]) == "unknown_things › n° 1"


def test_a_prescription_without_date_or_delay_says_so_in_french() -> None:
    body = {
        "caller": {"name": "Dr X"},
        "requester": {"rpps": "10001045367"},
        "patient_id": 1,
        "prescriptions": [
            {
                "profession_code": "60",
                "care_type": "Pansement",
                "care_mode": "visit",
                "response_delay_minutes": 30,
                "comment": "x",
            }
        ],
    }
    assert _errors(CaseCreate, body) == [
        (
            "prescriptions.0",
            "Indiquez une date d'intervention ou un délai d'intervention",
            "intervention_missing",
        )
    ]


def test_choices_are_listed_with_ou_and_bounds_without_decimals() -> None:
    errors = _errors(PatientPatch, {"version": 1, "sex": "X", "latitude": 91})
    messages = {field: message for field, message, _ in errors}
    assert messages["sex"] == "valeur non reconnue (valeurs possibles : 'F', 'M' ou 'U')"
    assert messages["latitude"] == "doit être inférieur ou égal à 90"


def test_a_birth_date_given_as_a_number_is_refused() -> None:
    assert _errors(PatientPatch, {"version": 1, "birth_date": 86400}) == [
        ("birth_date", "date attendue au format AAAA-MM-JJ", "date_type")
    ]


def test_radius_bound_reads_as_an_integer() -> None:
    assert _errors(ProfessionalPatch, {"radius_km": 0}) == [
        ("radius_km", "doit être supérieur à 0", "greater_than")
    ]
