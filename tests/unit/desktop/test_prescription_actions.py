"""Cancel, renew, comment and incident bodies: checked before sending, as the server would."""

from __future__ import annotations

import pytest

from desktop.state.prescription_actions import (
    NOT_CANCELLABLE,
    NOT_RENEWABLE,
    REASON_REQUIRED,
    FormRefused,
    RenewForm,
    cancel_body,
    comment_body,
    incident_body,
    intervention_delay_choices,
    response_delay_choices,
)
from shared.domain import PrescriptionState
from shared.schemas.dispatch import CancelBody, RenewBody
from shared.schemas.exchanges import CommentCreate, IncidentCreate
from tests.support.prescription_views import view

PENDING, CANCELLED = PrescriptionState.PENDING, PrescriptionState.CANCELLED


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_cancel_without_a_reason_is_refused_on_the_reason_field(reason: str) -> None:
    with pytest.raises(FormRefused) as refused:
        cancel_body(PENDING, reason)
    assert refused.value.errors == {"reason": REASON_REQUIRED}


def test_cancel_with_a_reason_is_the_server_body() -> None:
    body = cancel_body(PrescriptionState.ACCEPTED, "  Patient hospitalisé  ")
    assert body == {"reason": "Patient hospitalisé"}
    CancelBody.model_validate(body)


@pytest.mark.parametrize("state", [PrescriptionState.FINISHED, PrescriptionState.STARTED, CANCELLED])
def test_cancel_in_a_final_or_started_state_is_refused(state: PrescriptionState) -> None:
    with pytest.raises(FormRefused) as refused:
        cancel_body(state, "motif")
    assert refused.value.errors == {"": NOT_CANCELLABLE}


def test_cancel_reason_too_long_gets_the_length_message() -> None:
    with pytest.raises(FormRefused) as refused:
        cancel_body(PENDING, "x" * 1001)
    assert refused.value.errors["reason"] == "Au plus 1000 caractères"


def test_renew_form_starts_from_the_prescription() -> None:
    form = RenewForm.from_prescription(view(response_delay_minutes=240, intervention_delay_minutes=None))
    assert (form.response_delay_minutes, form.intervention_delay_minutes, form.free_text) == ("240", "", "")


def test_renew_body_with_free_text_and_delays() -> None:
    form = RenewForm("60", "120", "  Relance : patiente sortie ce matin ")
    body = form.body(CANCELLED)
    assert body == {
        "response_delay_minutes": 60,
        "intervention_delay_minutes": 120,
        "comment": "Relance : patiente sortie ce matin",
    }
    RenewBody.model_validate(body)


def test_renew_body_keeps_the_intervention_when_unchanged_and_no_text() -> None:
    assert RenewForm("30").body(PrescriptionState.EXPIRED) == {"response_delay_minutes": 30}


def test_renew_messages_keyed_by_field() -> None:
    with pytest.raises(FormRefused) as refused:
        RenewForm("", "abc").body(CANCELLED)
    assert refused.value.errors == {
        "response_delay_minutes": "Ce champ est obligatoire",
        "intervention_delay_minutes": "Nombre de minutes attendu",
    }
    with pytest.raises(FormRefused) as refused:
        RenewForm("0", "999999999").body(CANCELLED)
    assert refused.value.errors["response_delay_minutes"].startswith("Valeur trop petite")
    assert refused.value.errors["intervention_delay_minutes"].startswith("Valeur trop grande")
    with pytest.raises(FormRefused) as refused:
        RenewForm("30", "", "x" * 4001).body(CANCELLED)
    assert refused.value.errors == {"free_text": "Au plus 4000 caractères"}


def test_renew_refused_while_the_prescription_is_live() -> None:
    with pytest.raises(FormRefused) as refused:
        RenewForm("30").body(PENDING)
    assert refused.value.errors == {"": NOT_RENEWABLE}


def test_delay_choices_include_an_unlisted_current_value() -> None:
    assert ("45", "45 minutes") in response_delay_choices(45)
    assert ("30", "30 minutes") in response_delay_choices(30)
    assert response_delay_choices(30).count(("30", "30 minutes")) == 1
    assert intervention_delay_choices(None)[0] == ("", "Inchangé")


def test_comment_with_and_without_a_tag() -> None:
    assert comment_body(" Patient vu ", " suivi ") == {"text": "Patient vu", "tag": "suivi"}
    assert comment_body("Patient vu", "  ") == {"text": "Patient vu", "tag": None}
    CommentCreate.model_validate(comment_body("Patient vu", "suivi"))
    with pytest.raises(FormRefused) as refused:
        comment_body("  ", "suivi")
    assert refused.value.errors == {"text": "Le texte est obligatoire"}
    with pytest.raises(FormRefused) as refused:
        comment_body("ok", "t" * 51)
    assert refused.value.errors == {"tag": "Au plus 50 caractères"}


def test_incident_about_the_prescription_and_its_case() -> None:
    body = incident_body(" Intervenant injoignable ", view(id=7, case_id=3))
    assert body == {"text": "Intervenant injoignable", "prescription_id": 7, "case_id": 3}
    IncidentCreate.model_validate(body)
    with pytest.raises(FormRefused) as refused:
        incident_body("", view())
    assert refused.value.errors == {"text": "Le texte est obligatoire"}
