"""The wizard as a whole: navigation keeps values, multi-prescription, entry points, drafts, bodies."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from desktop.state.wizard.success import case_title, reached_nobody_advice, success_lines
from desktop.state.wizard.wizard import EntryPoint, Step, Wizard
from shared.schemas.directory import CommuneOut
from shared.schemas.dispatch import CaseCreate, CaseCreated
from shared.schemas.patients import PatientCreate, PatientOut
from shared.validation import ValidationFailure
from telephony.events import Candidate
from tests.unit.desktop.conftest import (
    DOCTOR_RPPS,
    OPERATOR,
    TODAY,
    dashboard_wizard,
    fill_caller,
    fill_prescription,
    fill_search,
    ready_wizard,
)


def _patient_out(**overrides: object) -> PatientOut:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    values: dict[str, object] = {
        "id": 41,
        "version": 3,
        "last_name": "PICASSO",
        "first_name": "Pablo",
        "birth_last_name": None,
        "birth_first_names": None,
        "sex": "M",
        "birth_date": date(1952, 8, 9),
        "age": 74,
        "birth_place_insee": None,
        "nir": None,
        "ins_oid": None,
        "identity_status": "provisional",
        "occupation": None,
        "insurance_scheme": None,
        "phone": "+33600000000",
        "phone2": None,
        "email": None,
        "address_line": "Rue de Laval",
        "address_complement": None,
        "building": None,
        "staircase": None,
        "floor": None,
        "digicode": "1234A",
        "intercom": None,
        "door": None,
        "postal_code": "63700",
        "city": "Youx",
        "commune_insee": "63469",
        "latitude": 46.14,
        "longitude": 2.8,
        "created_at": now,
        "updated_at": now,
        "usual_professionals": [
            {
                "profession_code": "10",
                "profession": "Médecin",
                "rpps": DOCTOR_RPPS,
                "last_name": "PARADIS",
                "first_name": "Philippe",
                "registered": True,
                "user_id": 5,
            }
        ],
    }
    values.update(overrides)
    return PatientOut.model_validate(values)


def step_of(wizard: Wizard) -> Step:
    """Read through a call: mypy would keep the value narrowed by an earlier assert."""
    return wizard.step


def test_next_refuses_a_step_with_errors_and_keeps_its_messages(wizard: Wizard) -> None:
    wizard.caller.caller_name = ""
    assert not wizard.next()
    assert wizard.step is Step.CALLER
    assert wizard.errors["caller_name"] == "Ce champ est obligatoire"
    wizard.set_field(Step.CALLER, "caller_name", "Claire Martin")
    assert "caller_name" not in wizard.errors  # the message goes as soon as the field is edited
    assert wizard.next()
    assert step_of(wizard) is Step.SEARCH


def test_back_and_forth_keeps_every_value() -> None:
    wizard = ready_wizard()
    wizard.add_prescription()
    fill_prescription(wizard, 1, comment="Second")
    before = wizard.to_json()
    for _ in range(4):
        wizard.back()
    assert wizard.step is Step.CALLER
    wizard.back()  # already at the first step: stays
    assert wizard.step is Step.CALLER
    for _ in range(4):
        assert wizard.next(), wizard.errors
    assert step_of(wizard) is Step.QUALIFICATION
    assert wizard.to_json() == before


def test_search_traits_fill_the_new_patient_but_never_overwrite_an_edit() -> None:
    wizard = ready_wizard()
    assert (wizard.patient.last_name, wizard.patient.birth_date) == ("Picasso", "09/08/1952")
    wizard.step = Step.PATIENT
    wizard.set_field(Step.PATIENT, "first_name", "Pablo Diego")  # corrected on the patient step
    wizard.back()
    wizard.set_field(Step.SEARCH, "last_name", "Ruiz Picasso")
    wizard.set_field(Step.SEARCH, "first_name", "Pablo")
    assert wizard.next()
    assert wizard.patient.last_name == "Ruiz Picasso"  # unchanged on Patient: follows the search
    assert wizard.patient.first_name == "Pablo Diego"  # edited on Patient: kept


def test_every_change_reaches_the_listeners(wizard: Wizard) -> None:
    seen: list[int] = []
    wizard.add_listener(lambda w: seen.append(int(w.step)))
    wizard.set_field(Step.CALLER, "service", "SOS")
    wizard.changed()
    fill_caller(wizard)
    wizard.next()
    assert seen == [0, 0, 1]


def test_multi_prescription_add_and_remove() -> None:
    wizard = ready_wizard()
    first = wizard.qualification.prescriptions[0]
    first.intervention_delay_minutes = ""
    first.intervention_date = "12/08/2026"
    index = wizard.add_prescription()
    second = wizard.qualification.prescriptions[index]
    # « + Plus » keeps the timing of the previous one, as the tutorial's screenshot shows
    assert (second.intervention_date, second.response_delay_minutes, second.comment) == (
        "12/08/2026",
        "120",
        "",
    )
    assert not wizard.next()
    assert wizard.errors == {
        "prescriptions.1.profession_code": "Ce champ est obligatoire",
        "prescriptions.1.care_type": "Ce champ est obligatoire",
        "prescriptions.1.care_mode": "Ce champ est obligatoire",
        "prescriptions.1.comment": "Le commentaire est obligatoire",
    }
    fill_prescription(wizard, 1, comment="Kiné")
    second.intervention_delay_minutes = ""
    wizard.add_prescription()
    wizard.remove_prescription(1)
    assert [p.comment for p in wizard.qualification.prescriptions] == ["Pansement post-opératoire", ""]
    wizard.remove_prescription(1)
    with pytest.raises(ValidationFailure, match="au moins un déclenchement"):
        wizard.remove_prescription(0)
    for _ in range(9):
        wizard.add_prescription()
    with pytest.raises(ValidationFailure, match="Au plus 10"):
        wizard.add_prescription()


def test_submission_for_a_new_patient_gives_the_exact_api_bodies() -> None:
    wizard = ready_wizard()
    wizard.add_prescription()
    fill_prescription(wizard, 1, comment="Kiné respiratoire")
    wizard.set_prescription_field(1, "profession_code", "70")
    submission = wizard.submission()
    assert submission.patient_id is None
    assert submission.patient_patch is None
    assert submission.patient_create is not None
    assert PatientCreate.model_validate(submission.patient_create).phone == "+33612345678"
    assert submission.patient_create["birth_date"] == "1952-08-09"
    assert submission.patient_create["commune_insee"] == "91228"
    case = CaseCreate.model_validate({**submission.case, "patient_id": 1})
    assert submission.case["caller"] == {
        "name": "Claire Martin",
        "phone": "+33199001234",
        "service": "Plateforme Centrale",
    }
    assert submission.case["requester"] == {"rpps": DOCTOR_RPPS, "name": "Claire Martin"}
    assert [p.profession_code for p in case.prescriptions] == ["60", "70"]
    assert submission.case["prescriptions"][0] == {
        "profession_code": "60",
        "care_type": "Pansement",
        "care_mode": "visit",
        "intervention_delay_minutes": 60,
        "days": 1,
        "visits_per_day": 1,
        "response_delay_minutes": 120,
        "comment": "Pansement post-opératoire",
    }
    json.dumps(submission.case)  # plain JSON, as the outbox stores it


def test_sending_with_an_invalid_step_goes_back_to_it() -> None:
    wizard = ready_wizard()
    wizard.patient.sex = ""
    with pytest.raises(ValueError, match="sex"):
        wizard.submission()
    assert wizard.step is Step.PATIENT
    assert wizard.errors == {"sex": "Ce champ est obligatoire"}


def test_entry_from_the_dashboard_has_the_operator_as_caller() -> None:
    wizard = Wizard.from_dashboard(OPERATOR)
    assert wizard.entry is EntryPoint.DASHBOARD
    assert (wizard.caller.caller_name, wizard.caller.service, wizard.caller.caller_user_id) == (
        "Opératrice Centrale",
        "Plateforme Centrale",
        "7",
    )
    assert wizard.caller.validate() == {}
    assert wizard.caller.requester_body().user_id == 7


def test_entry_from_a_call_prefills_tel_appel_and_the_identified_caller() -> None:
    candidate = Candidate("professional", f"rpps:{DOCTOR_RPPS}", "Claire Martin", "Médecin, Évry", "Médecin")
    wizard = Wizard.from_call("+33761717229", "record-uuid", candidate)
    assert wizard.entry is EntryPoint.CALL
    assert wizard.caller.call_phone == wizard.caller.caller_phone == "07 61 71 72 29"
    assert (wizard.caller.caller_name, wizard.caller.caller_profession, wizard.caller.caller_rpps) == (
        "Claire Martin",
        "Médecin",  # the profession alone: the popup's detail has the town too
        DOCTOR_RPPS,
    )
    assert wizard.caller.validate() == {}
    wizard.today = lambda: TODAY
    fill_search(wizard)
    wizard.choose_new_patient()
    fill_prescription(wizard)
    assert wizard.case_body(3)["call_id"] == "record-uuid"
    unknown = Wizard.from_call("anonymous", "r2")
    assert (unknown.caller.call_phone, unknown.caller.caller_name) == ("anonymous", "")


def test_entry_for_a_patient_starts_with_the_patient_chosen() -> None:
    wizard = Wizard.for_patient(OPERATOR, _patient_out())
    wizard.today = lambda: TODAY
    assert wizard.entry is EntryPoint.PATIENT
    assert wizard.step is Step.CALLER
    assert wizard.search.selected_patient_id == 41
    assert (wizard.search.phone, wizard.search.birth_date) == ("06 00 00 00 00", "09/08/1952")
    for _ in range(4):
        assert wizard.next(), wizard.errors
    assert wizard.patient.digicode == "1234A"
    assert wizard.usual.chosen["10"]["last_name"] == "PARADIS"
    fill_prescription(wizard)
    submission = wizard.submission()
    assert (submission.patient_id, submission.patient_create, submission.patient_patch) == (41, None, None)
    assert submission.usual_professionals is None  # unchanged: nothing to send
    assert submission.case["patient_id"] == 41


def test_an_edited_existing_patient_gives_a_patch_with_the_version_read() -> None:
    wizard = Wizard.for_patient(OPERATOR, _patient_out())
    wizard.today = lambda: TODAY
    wizard.step = Step.QUALIFICATION
    fill_prescription(wizard)
    wizard.set_field(Step.PATIENT, "digicode", "9876B")
    wizard.set_field(Step.PATIENT, "phone2", "01 99 00 11 22")
    wizard.usual.remove("10")
    submission = wizard.submission()
    assert submission.patient_patch == {"digicode": "9876B", "phone2": "+33199001122", "version": 3}
    assert submission.usual_professionals == []


def test_choosing_new_patient_after_an_existing_one_starts_afresh() -> None:
    wizard = Wizard.for_patient(OPERATOR, _patient_out())
    wizard.choose_new_patient()
    assert wizard.patient.patient_id is None
    assert wizard.patient.digicode == ""
    assert wizard.usual.chosen == {}


def test_draft_round_trip_keeps_everything() -> None:
    wizard = ready_wizard()
    wizard.add_prescription()
    fill_prescription(wizard, 1, comment="Deuxième")
    wizard.patient.prefill_card_nir("185057800608436")
    wizard.back()
    wizard.errors = {"x": "y"}
    text = json.dumps(wizard.to_json())
    restored = Wizard.from_json(json.loads(text))
    restored.today = wizard.today
    assert restored == wizard
    assert restored.to_json() == wizard.to_json()
    assert restored.patient.notices == wizard.patient.notices
    with pytest.raises(ValueError, match="version inconnue"):
        Wizard.from_json({**json.loads(text), "version": 99})


def test_unknown_fields_are_refused(wizard: Wizard) -> None:
    with pytest.raises(KeyError):
        wizard.set_field(Step.CALLER, "no_such_field", "x")
    with pytest.raises(KeyError):
        wizard.set_field(Step.PATIENT, "original", "x")
    with pytest.raises(KeyError):
        wizard.set_prescription_field(0, "colour", "x")


def test_leaving_search_for_a_result_not_loaded_is_refused() -> None:
    wizard = dashboard_wizard()
    fill_caller(wizard)
    wizard.next()
    fill_search(wizard)
    wizard.search.results = [{"id": 8}]
    wizard.search.selected_patient_id = 8
    assert not wizard.next()
    assert wizard.errors == {"patient": "Le patient choisi n'est pas encore chargé"}


def test_the_success_dialog_lines() -> None:
    created = CaseCreated.model_validate(
        {
            "case_id": 1,
            "number": "30000042",
            "prescriptions": [
                {
                    "id": 1,
                    "state": "pending",
                    "profession_code": "60",
                    "profession": "Infirmier",
                    "care_type": "Bilan sang",
                    "notified_count": 3,
                    "deadline_at": "2026-11-27T10:00:00Z",
                    "priority_until": None,
                },
                {
                    "id": 2,
                    "state": "pending",
                    "profession_code": "70",
                    "profession": "Masseur-kinésithérapeute",
                    "care_type": "Kiné respiratoire",
                    "notified_count": 0,
                    "deadline_at": "2026-11-27T10:00:00Z",
                    "priority_until": None,
                },
            ],
        }
    )
    assert success_lines(created, "Plateforme Centrale") == [
        "OK pour déclenchement Plateforme Centrale, soin Bilan sang, profession Infirmier "
        "=> 3 intervenant(s) déclenché(s)",
        # issue 18 (3): not « OK pour déclenchement … => Aucune ressource disponible »
        "Personne de joint pour le soin Kiné respiratoire, profession "
        "Masseur-kinésithérapeute => Aucune ressource disponible",
    ]
    assert case_title(created) == "Déclenchement réussi — fiche #30000042"
    advice = reached_nobody_advice(created)
    assert advice.startswith("Aucun professionnel n'a été joint")
    assert "(Kiné respiratoire)" in advice
    assert "« Renouveler » avec un autre délai" in advice
    nobody = created.model_copy(update={"prescriptions": created.prescriptions[1:]})
    assert case_title(nobody) == "Déclenchement envoyé, aucun professionnel joint — fiche #30000042"
    assert "(Kiné respiratoire)" not in reached_nobody_advice(nobody)


def test_the_time_zone_follows_an_overseas_patient() -> None:
    wizard = dashboard_wizard()
    fill_caller(wizard)
    wizard.next()
    fill_search(wizard)
    wizard.choose_new_patient()
    wizard.next()
    wizard.patient.sex, wizard.patient.address_line = "M", "Rue Victor Hugo"
    wizard.patient.choose_commune(
        CommuneOut(
            insee_code="97209",
            name="Fort-de-France",
            postal_codes=["97200"],
            department="972",
            latitude=14.6,
            longitude=-61.07,
        )
    )
    assert wizard.next()
    assert wizard.next()
    assert wizard.qualification.prescriptions[0].intervention_tz == "America/Martinique"
    wizard.set_prescription_field(0, "intervention_tz", "Europe/Paris")  # the operator's choice is kept...
    wizard.set_prescription_field(0, "intervention_date", "12/08/2026")
    wizard.back()
    wizard.next()
    assert wizard.qualification.prescriptions[0].intervention_tz == "Europe/Paris"
