"""« Cabinet (secrétariat) » in the user dialog, without Qt: what a search sends, the checked list
(the saved professionals checked, those found added once), and the `PUT …/practice` body only when a
secretary's practice changed (issue 17, item 16)."""

from __future__ import annotations

import pytest

from desktop.state.back_office.accounts import (
    PRACTICE_LABEL,
    FormInvalid,
    PracticeChoice,
    UserForm,
    practice_criteria,
    professional_label,
)
from shared.domain import Availability, Role
from shared.schemas.admin import ProfessionalOut


def _professional(user_id: int, last_name: str, rpps: str, active: bool = True) -> ProfessionalOut:
    return ProfessionalOut(
        user_id=user_id,
        username=f"pro{user_id}",
        active=active,
        rpps=rpps,
        last_name=last_name,
        first_name="Jeanne",
        profession_code="10",
        profession="Médecin",
        specialty_code=None,
        phone=None,
        commune_insee=None,
        commune_name=None,
        postal_code=None,
        latitude=48.6,
        longitude=2.4,
        radius_km=10,
        availability=Availability.BOTH,
        unavailable_until=None,
        timezone="Europe/Paris",
        network_ids=[],
        notification_windows=[],
    )


def test_a_search_is_by_rpps_or_by_name_in_french() -> None:
    assert practice_criteria(" 100 0000 0001 ") == {"rpps": "10000000001"}
    assert practice_criteria("  Dupont   Jea ") == {"q": "Dupont Jea"}
    for typed, message in (
        ("   ", "saisissez un nom ou un numéro RPPS"),
        ("1" * 12, "un numéro RPPS a 11 chiffres"),
    ):
        with pytest.raises(FormInvalid) as refused:
            practice_criteria(typed)
        assert refused.value.errors == {PRACTICE_LABEL: message}
    with pytest.raises(FormInvalid):
        practice_criteria("x" * 101)


def test_the_checked_list_keeps_the_practice_and_adds_what_was_found() -> None:
    assert professional_label(_professional(7, "Dupont", "10000000001")) == (
        "DUPONT Jeanne — Médecin — RPPS 10000000001"
    )
    assert professional_label(_professional(8, "Martin", "10000000002", active=False)).endswith("(désactivé)")
    choice = PracticeChoice()
    choice.load([_professional(7, "Dupont", "10000000001")])
    choice.found([_professional(9, "Albert", "10000000003"), _professional(7, "Dupont", "10000000001")])
    assert [(pid, checked) for pid, _, checked in choice.rows()] == [(7, True), (9, False)]
    choice.tick(9, True)
    choice.tick(7, False)
    assert choice.chosen() == (9,)
    assert [pid for pid, _, _ in choice.rows()] == [9, 7]


def test_the_practice_is_saved_for_a_secretary_when_it_changed() -> None:
    form = UserForm("sec", "Secrétaire", Role.SECRETARY, practice_ids=(9, 7, 9), practice_saved=(7,))
    assert form.practice_update() == {"professional_ids": [7, 9]}
    assert (
        UserForm("sec", "S", Role.SECRETARY, practice_ids=(7,), practice_saved=(7,)).practice_update() is None
    )
    assert UserForm("sec", "S", Role.SECRETARY, practice_ids=(), practice_saved=(7,)).practice_update() == {
        "professional_ids": []
    }
    assert UserForm("op", "O", Role.OPERATOR, practice_ids=(7,)).practice_update() is None
