"""What a card read may do to the wizard (desktop.state.wizard.card_use), and the demo cards' data."""

from __future__ import annotations

from datetime import date

from cardreader.cards.cps import CpsHolder
from cardreader.cards.vitale2 import Beneficiary
from desktop.demo.cards import DEMO_DOCTOR, DEMO_FAMILY, demo_cps_profile, demo_vitale_profile
from desktop.state.wizard.card_use import (
    REPLACE_WARNING,
    apply_beneficiary,
    beneficiary_line,
    cps_question,
    cps_replaces_typing,
    vitale_plan,
)
from desktop.state.wizard.wizard import Operator, Step, Wizard
from server.demo_data import demo_nir, demo_rpps
from shared.validation import parse_nir

OPERATOR = Operator(user_id=1, display_name="Opérateur Démo")


def person(
    first: str, born: str = "19841231", iso: str | None = "1984-12-31", nir: str = "284127505608939"
) -> Beneficiary:
    return Beneficiary("DUPONT", first, born, iso, "FR", nir, True, None)


HELENE, JEAN, LUNAR = (
    person("Hélène"),
    person("Jean", "19820115", "1982-01-15"),
    person("Lou", "19750000", None),
)
HOLDER = CpsHolder("MARTIN", "Claire", "810001045367", "rpps", "10001045367", True, None, "10", "Médecin")


def wizard(step: Step = Step.SEARCH) -> Wizard:
    made = Wizard.from_dashboard(OPERATOR)
    made.step = step
    return made


def current_step(made: Wizard) -> Step:
    return made.step  # read again after a call (mypy keeps an attribute narrowed by an assert)


def test_chooser_lines_show_name_and_birth_date_and_flag_a_lunar_date() -> None:
    assert beneficiary_line(HELENE) == "DUPONT Hélène — né(e) le 31/12/1984"
    assert beneficiary_line(LUNAR) == "DUPONT Lou — né(e) le 00/00/1975 (date à corriger)"


def test_one_beneficiary_on_empty_traits_is_applied_directly() -> None:
    plan = vitale_plan(wizard(), (HELENE,))
    assert plan.apply_directly is HELENE
    assert plan.warning == ""


def test_several_beneficiaries_open_the_chooser_without_warning_on_empty_traits() -> None:
    plan = vitale_plan(wizard(), (HELENE, JEAN))
    assert plan.apply_directly is None
    assert plan.warning == ""


def test_same_traits_typed_differently_cased_are_not_a_replacement() -> None:
    made = wizard()
    made.set_field(Step.SEARCH, "last_name", "dupont ")
    made.set_field(Step.SEARCH, "birth_date", "31/12/1984")
    assert vitale_plan(made, (HELENE,)).apply_directly is HELENE


def test_typed_traits_that_differ_make_the_chooser_ask_even_for_one_beneficiary() -> None:
    made = wizard()
    made.set_field(Step.SEARCH, "first_name", "Margot")
    plan = vitale_plan(made, (HELENE,))
    assert plan.apply_directly is None
    assert plan.warning == REPLACE_WARNING
    assert made.search.first_name == "Margot"  # planning changes nothing


def test_a_read_past_the_search_step_asks_then_goes_back_to_it_with_the_nir_carried() -> None:
    made = wizard()
    for name, value in (("phone", "01 99 00 00 02"), ("last_name", "MARTIN"), ("first_name", "Paul")):
        made.set_field(Step.SEARCH, name, value)
    made.set_field(Step.SEARCH, "birth_date", "01/02/1960")
    made.choose_new_patient()
    assert made.next()
    assert made.step is Step.PATIENT
    assert vitale_plan(made, (HELENE,)).warning == REPLACE_WARNING
    assert apply_beneficiary(made, HELENE)
    assert current_step(made) is Step.SEARCH
    assert (made.search.last_name, made.search.first_name, made.search.birth_date) == (
        "DUPONT",
        "Hélène",
        "31/12/1984",
    )
    assert made.search.phone == "01 99 00 00 02"  # not on the card: kept
    assert not made.search.new_patient
    assert made.search.card_nir == HELENE.nir


def test_a_read_on_the_caller_step_fills_the_search_and_stays() -> None:
    made = wizard(Step.CALLER)
    assert apply_beneficiary(made, JEAN)
    assert made.step is Step.CALLER
    assert made.search.birth_date == "15/01/1982"


def test_the_beneficiary_already_chosen_changes_nothing() -> None:
    made = wizard()
    apply_beneficiary(made, HELENE)
    made.choose_new_patient()
    assert vitale_plan(made, (HELENE,)).apply_directly is HELENE
    assert not apply_beneficiary(made, HELENE)
    assert made.search.new_patient


def test_cps_asks_only_when_another_requester_was_typed() -> None:
    made = wizard(Step.CALLER)
    assert not cps_replaces_typing(made.caller, HOLDER)
    made.set_field(Step.CALLER, "requester_name", "MARTIN Claire")
    assert not cps_replaces_typing(made.caller, HOLDER)
    made.set_field(Step.CALLER, "requester_name", "DURAND Luc")
    assert cps_replaces_typing(made.caller, HOLDER)
    assert cps_question(made.caller, HOLDER) == (
        "Remplacer le demandeur « DURAND Luc » par « MARTIN Claire » (carte CPS) ?"
    )


def test_the_demo_family_has_valid_nirs_and_its_child_is_the_demo_datas_patient() -> None:
    assert [b["first_name"] for b in demo_vitale_profile()["beneficiaries"]] == ["Maëlle", "Erwan", "Yann"]
    for item in DEMO_FAMILY:
        parse_nir(item["nir"])  # raises on a wrong key
    yann = DEMO_FAMILY[2]
    # server/demo_data.py: LE GOFF Yann, M, 05/04/2015, Brétigny-sur-Orge (91103), order 100 + 5
    assert yann["nir"] == demo_nir(1, date(2015, 4, 5), "91", "103", 105)
    assert (yann["last_name"], yann["birth_date"]) == ("LE GOFF", "20150405")


def test_the_demo_cps_is_the_demo_datas_first_professional() -> None:
    assert DEMO_DOCTOR["national_id"] == "8" + demo_rpps(1)
    assert demo_cps_profile()["type"] == "cps3"
