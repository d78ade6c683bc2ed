"""Helpers of the desktop's integration tests: an operator account and wizards ready to send."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from datetime import date

from desktop.state.wizard.wizard import Operator, Step, Wizard
from shared.schemas.directory import CommuneOut
from tests.support.live import PASSWORD, LiveServer, unique_name, unique_phone

EVRY = CommuneOut(
    insee_code="91228",
    name="Évry-Courcouronnes",
    postal_codes=["91000"],
    department="91",
    latitude=48.629,
    longitude=2.44,
)


def operator_account(live: LiveServer) -> tuple[str, str, Operator]:
    """A fresh operator: (username, password, Operator)."""
    user, _client = live.user("operator")
    return user["username"], PASSWORD, Operator(user_id=user["id"], display_name=user["display_name"])


def new_patient_wizard(
    operator: Operator, *, commune: CommuneOut = EVRY, comments: tuple[str, ...] = ("Pansement",)
) -> Wizard:
    """A dashboard wizard for a new, unique patient, every step filled, standing on « Qualification »."""
    wizard = Wizard.from_dashboard(operator)
    assert wizard.next(), wizard.errors
    search = wizard.search
    search.phone, search.last_name, search.first_name = unique_phone(), unique_name("PATIENT"), "Hélène"
    search.birth_date = date(1940 + secrets.randbelow(60), 5, 17).strftime("%d/%m/%Y")
    wizard.choose_new_patient()
    assert wizard.next(), wizard.errors
    wizard.set_field(Step.PATIENT, "sex", "F")
    wizard.set_field(Step.PATIENT, "address_line", "12 rue des Lilas")
    wizard.patient.choose_commune(commune)
    assert wizard.next(), wizard.errors
    assert wizard.next(), wizard.errors
    for index, comment in enumerate(comments):
        if index:
            wizard.add_prescription()
        for name, value in (
            ("profession_code", "60"),
            ("care_type", "Pansement"),
            ("care_mode", "visit"),
            ("intervention_delay_minutes", "60"),
            ("response_delay_minutes", "30"),
            ("comment", comment),
        ):
            wizard.set_prescription_field(index, name, value)
    return wizard


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
