"""Builders of wizards filled with valid values, step by step."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.state.wizard.wizard import Operator, Wizard
from shared.schemas.directory import CommuneOut
from tests.support.live import rpps_with_key

TODAY = date(2026, 11, 27)
DOCTOR_RPPS = rpps_with_key(1234567)
EVRY = CommuneOut(
    insee_code="91228",
    name="Évry-Courcouronnes",
    postal_codes=["91000", "91080"],
    department="91",
    latitude=48.629,
    longitude=2.44,
)
OPERATOR = Operator(user_id=7, display_name="Opératrice Centrale", service="Plateforme Centrale")


def fill_caller(wizard: Wizard) -> None:
    wizard.caller.caller_name = "Claire Martin"
    wizard.caller.caller_rpps = DOCTOR_RPPS
    wizard.caller.call_phone = "01 99 00 12 34"


def fill_search(wizard: Wizard) -> None:
    search = wizard.search
    search.phone, search.last_name, search.first_name = "06 12 34 56 78", "Picasso", "Pablo"
    search.birth_date = "09/08/1952"


def fill_patient(wizard: Wizard) -> None:
    wizard.patient.sex = "M"
    wizard.patient.address_line = "12 rue des Lilas"
    wizard.patient.choose_commune(EVRY)


def fill_prescription(wizard: Wizard, index: int = 0, *, comment: str = "Pansement post-opératoire") -> None:
    form = wizard.qualification.prescriptions[index]
    form.profession_code, form.care_type, form.care_mode = "60", "Pansement", "visit"
    form.intervention_delay_minutes, form.response_delay_minutes, form.comment = "60", "120", comment


def dashboard_wizard() -> Wizard:
    wizard = Wizard.from_dashboard(OPERATOR)
    wizard.today = lambda: TODAY
    return wizard


def ready_wizard() -> Wizard:
    """A new patient, every step valid, standing on « Qualification »."""
    wizard = dashboard_wizard()
    fill_caller(wizard)
    assert wizard.next()
    fill_search(wizard)
    wizard.choose_new_patient()
    assert wizard.next()
    fill_patient(wizard)
    assert wizard.next(), wizard.errors
    assert wizard.next()
    fill_prescription(wizard)
    return wizard


@pytest.fixture
def wizard() -> Wizard:
    return dashboard_wizard()


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``pytest.mark.anyio``) run on asyncio, the desktop's loop (qasync)."""
    return "asyncio"
