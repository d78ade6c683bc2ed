"""Issue 18's wording: the state at the end of a French sentence, and the « date OU délai »
message that goes when either field changes (not left stale after the date is cleared)."""

from __future__ import annotations

from desktop.state.prescription_actions import state_phrase
from desktop.state.wizard.qualification_step import BOTH
from desktop.state.wizard.wizard import Step, Wizard
from shared.domain import PrescriptionState
from tests.unit.desktop.conftest import OPERATOR


def test_the_state_reads_as_french_words() -> None:
    assert f"la demande est {state_phrase(PrescriptionState.CANCELLED)}" == "la demande est annulée"
    assert state_phrase(PrescriptionState.EXPIRED) == "expirée"
    assert state_phrase(PrescriptionState.FINISHED) == "terminée"


def test_clearing_the_date_clears_the_both_message() -> None:
    wizard = Wizard.from_dashboard(OPERATOR)
    wizard.step = Step.QUALIFICATION
    wizard.set_prescription_field(0, "intervention_date", "12/12/2030")
    wizard.set_prescription_field(0, "intervention_delay_minutes", "60")
    assert not wizard.next()
    assert wizard.errors["prescriptions.0.intervention_delay_minutes"] == BOTH
    wizard.set_prescription_field(0, "intervention_date", "")
    assert "prescriptions.0.intervention_delay_minutes" not in wizard.errors
    assert "prescriptions.0.intervention_date" not in wizard.errors
