"""Every validation rule of the five steps, with its French message keyed by field."""

from __future__ import annotations

from datetime import date

import pytest

from cardreader.cards.cps import CpsHolder
from cardreader.cards.vitale2 import Beneficiary
from desktop.state.wizard.caller_step import CallerStep
from desktop.state.wizard.patient_step import CARD_NIR_NOTICE, PatientStep
from desktop.state.wizard.qualification_step import BOTH, NEITHER, PrescriptionForm
from desktop.state.wizard.search_step import SearchStep
from desktop.state.wizard.usual_step import UsualProfessionalsStep
from shared.schemas.directory import DirectoryProfessional
from shared.schemas.patients import PatientSearchResult
from tests.support.live import make_nir, rpps_with_key
from tests.unit.desktop.conftest import DOCTOR_RPPS, EVRY, TODAY


# ---- 1. Appelant ---------------------------------------------------------------------------------
def test_caller_name_is_required_and_an_identified_requester_too() -> None:
    errors = CallerStep().validate()
    assert errors["caller_name"] == "Ce champ est obligatoire"
    assert errors["requester"] == "L'appelant n'est pas un professionnel identifié : indiquez le demandeur"


@pytest.mark.parametrize("field", ["call_phone", "caller_phone", "direct_line"])
def test_phones_are_checked_when_typed(field: str) -> None:
    step = CallerStep(caller_name="Claire Martin", caller_rpps=DOCTOR_RPPS)
    setattr(step, field, "12 34")
    assert field in step.validate()
    setattr(step, field, "07.61.71.72.29")
    assert step.validate() == {}


def test_a_secretary_calls_for_her_doctor() -> None:
    step = CallerStep(caller_name="Secrétariat Dr Martin", requester_is_caller=False)
    errors = step.validate()
    assert errors["requester_name"] == "Ce champ est obligatoire"
    assert errors["requester_rpps"] == "Indiquez le RPPS du demandeur (ou lisez sa carte CPS)"
    step.requester_name, step.requester_rpps = "Dr Martin", "12345678901"
    assert "requester_rpps" in step.validate()  # wrong Luhn key
    step.requester_rpps = DOCTOR_RPPS
    assert step.validate() == {}
    assert step.requester_body().rpps == DOCTOR_RPPS
    assert step.caller_body().name == "Secrétariat Dr Martin"


def test_a_cps_card_fills_the_requester() -> None:
    step = CallerStep(caller_name="Secrétariat", caller_user_id="3")
    rpps = rpps_with_key(99887766)
    holder = CpsHolder("MARTIN", "Claire", "8" + rpps, "rpps", rpps, True, None, "10", "Médecin")
    step.fill_from_cps(holder)
    assert (step.requester_name, step.requester_rpps, step.requester_profession_code) == (
        "MARTIN Claire",
        rpps,
        "10",
    )
    assert step.requester_is_caller is False
    assert step.validate() == {}
    assert step.requester_body().model_dump(exclude_none=True) == {
        "rpps": rpps,
        "name": "MARTIN Claire",
        "profession_code": "10",
    }


def test_a_caller_known_as_user_is_the_requester_by_user_id() -> None:
    step = CallerStep(caller_name="Dr Interne", caller_user_id="12")
    assert step.requester_body().user_id == 12


# ---- 2. Recherche patient ------------------------------------------------------------------------
def test_the_four_search_traits_are_mandatory() -> None:
    errors = SearchStep().validate(TODAY)
    assert set(errors) == {"phone", "last_name", "first_name", "birth_date"}
    assert set(errors.values()) == {"Ce champ est obligatoire"}


def test_search_traits_are_checked() -> None:
    step = SearchStep(phone="123", last_name="P1casso", first_name="Pablo", birth_date="31/02/1952")
    errors = step.validate(TODAY)
    assert set(errors) == {"phone", "last_name", "birth_date"}
    assert errors["birth_date"] == "Date invalide (format JJ/MM/AAAA)"
    assert errors["last_name"] == "Le champ « Nom » contient des caractères invalides"
    step.birth_date = "01/01/2030"
    assert step.validate(TODAY)["birth_date"] == "La date de naissance est dans le futur"


def test_the_live_query_keeps_only_the_valid_traits() -> None:
    step = SearchStep(phone="06 12 34 56 78", last_name="Pic", first_name="", birth_date="09/08/19")
    assert step.query() == {"phone": "+33612345678", "last_name": "Pic"}


def test_leaving_the_search_needs_a_patient_or_not_registered() -> None:
    step = SearchStep(
        phone="06 12 34 56 78", last_name="Picasso", first_name="Pablo", birth_date="09/08/1952"
    )
    assert step.validate_choice(TODAY) == {
        "patient": "Choisissez un patient dans les résultats, ou « Ce patient n'est pas enregistré »"
    }
    step.choose_new_patient()
    assert step.validate_choice(TODAY) == {}


def test_results_flag_likely_duplicates() -> None:
    step = SearchStep()
    match = {
        "id": 4,
        "last_name": "PICASSO",
        "first_name": "Pablo",
        "birth_last_name": None,
        "birth_date": "1952-08-09",
        "age": 74,
        "sex": "M",
        "phone": "+33612345678",
        "postal_code": "91000",
        "city": "Évry",
        "identity_status": "provisional",
        "match": "exact",
        "reasons": ["phone"],
        "likely_duplicates": [{"id": 9, "reasons": ["birth_date_names"]}],
    }
    plain = {**match, "id": 9, "likely_duplicates": []}
    step.set_results(PatientSearchResult.model_validate({"items": [match, plain], "truncated": False}))
    flags = [SearchStep.duplicate_warning(m) for m in step.matches()]
    assert flags == ["Doublon probable : 1 autre(s) fiche(s) ressemblante(s)", None]
    step.select(9)
    assert step.selected_patient_id == 9
    with pytest.raises(KeyError):
        step.select(1234)


def test_a_vitale_beneficiary_fills_names_and_birth_date_not_the_phone() -> None:
    nir = make_nir(2, date(2015, 3, 12))
    step = SearchStep(phone="06 12 34 56 78")
    step.fill_from_beneficiary(
        Beneficiary("MICHAUX", "ISABELLE", "20150312", "2015-03-12", "FR", nir, True, None)
    )
    assert (step.phone, step.last_name, step.first_name, step.birth_date) == (
        "06 12 34 56 78",
        "MICHAUX",
        "ISABELLE",
        "12/03/2015",
    )
    assert step.card_nir == nir


def test_a_lunar_birth_date_is_shown_for_correction() -> None:
    step = SearchStep()
    step.fill_from_beneficiary(Beneficiary("A", "B", "19750000", None, "FR", "", False, "NIR illisible"))
    assert step.birth_date == "00/00/1975"
    assert step.card_nir == ""
    assert "birth_date" in step.validate(TODAY)


# ---- 3. Patient ----------------------------------------------------------------------------------
def _patient(**values: str) -> PatientStep:
    step = PatientStep(
        phone="06 12 34 56 78", last_name="Picasso", first_name="Pablo", birth_date="09/08/1952"
    )
    for name, value in values.items():
        setattr(step, name, value)
    return step


def test_address_commune_and_sex_are_mandatory() -> None:
    errors = _patient().validate(TODAY)
    assert errors["sex"] == errors["address_line"] == errors["city"] == "Ce champ est obligatoire"
    step = _patient(sex="M", address_line="1 rue de Laval", city="Youx")
    assert step.validate(TODAY)["city"] == "Choisissez la commune dans la liste proposée"
    step.choose_commune(EVRY, "91080")
    assert step.validate(TODAY) == {}
    assert (step.postal_code, step.commune_insee, step.latitude) == ("91080", "91228", "48.629")


def test_typing_the_city_again_drops_the_chosen_commune() -> None:
    step = _patient(sex="M", address_line="1 rue")
    step.choose_commune(EVRY)
    step.set_value("city", "Evry")
    assert (step.commune_insee, step.postal_code, step.latitude) == ("", "", "")
    assert "city" in step.validate(TODAY)


def test_the_nir_key_is_checked_live() -> None:
    nir = make_nir(1, date(1952, 8, 9))
    step = _patient(sex="M", nir=nir[:13] + f"{(int(nir[13:]) + 1) % 97:02d}")
    assert step.nir_feedback(TODAY) == "La clé du NIR est invalide"
    step.nir = nir
    assert step.nir_feedback(TODAY) is None
    step.sex = "F"
    assert step.nir_feedback(TODAY) == "Le NIR ne correspond pas au sexe du patient"
    step.sex, step.birth_date = "M", "09/09/1952"
    assert step.nir_feedback(TODAY) == "Le NIR ne correspond pas au mois de naissance"


def test_a_card_nir_is_prefilled_with_a_warning_until_edited() -> None:
    step = _patient()
    step.prefill_card_nir("185057800608436")
    assert step.notices["nir"] == CARD_NIR_NOTICE
    step.set_value("nir", "")
    assert "nir" not in step.notices


def test_other_patient_fields_use_the_server_rules() -> None:
    step = _patient(sex="M", address_line="1 rue", email="pas-un-mail", phone2="99", digicode="x" * 51)
    step.choose_commune(EVRY)
    errors = step.validate(TODAY)
    assert errors["email"] == "Adresse e-mail invalide"
    assert "phone2" in errors
    assert errors["digicode"] == "Au plus 50 caractères"
    step.ins_oid = "1.2.3"
    assert step.validate(TODAY)["ins_oid"] == "OID INS inconnu : « 1.2.3 »"
    step.ins_oid = "urn:oid:1.2.250.1.213.1.4.8"
    assert "ins_oid" not in step.validate(TODAY)
    assert step.create_values()["ins_oid"] == "1.2.250.1.213.1.4.8"


def test_a_qualified_identity_needs_the_ins_and_strict_traits() -> None:
    step = _patient(sex="M", address_line="1 rue", identity_status="qualified")
    step.choose_commune(EVRY)
    assert "INS et les 5 traits stricts" in step.validate(TODAY)["patient"]


# ---- 4. Professionnels habituels -----------------------------------------------------------------
def test_directory_search_needs_three_letters() -> None:
    step = UsualProfessionalsStep(search_last_name="Pa", search_first_name="Ph")
    assert step.search_errors() == {"search_last_name": "Saisissez au moins 3 lettres du nom ou du prénom"}
    step.search_last_name = "Par"
    assert step.search_errors() == {}
    assert step.search_query() == {"profession": "10", "last_name": "Par", "first_name": "Ph"}


def test_pick_add_and_remove_usual_professionals() -> None:
    step = UsualProfessionalsStep(search_profession="60", search_last_name="Paradis")
    found = DirectoryProfessional(
        rpps=DOCTOR_RPPS,
        last_name="PARADIS",
        first_name="Philippe",
        profession_code="60",
        profession="Infirmier",
        specialty=None,
        commune="Évry",
        postal_code="91000",
        phone=None,
        registered=True,
    )
    step.set_results([found])
    step.add(DOCTOR_RPPS)
    assert [(code, entry["last_name"] if entry else None) for code, _, entry in step.slots()] == [
        ("10", None),
        ("60", "PARADIS"),
        ("70", None),
        ("21", None),
        ("50", None),
    ]
    assert step.changed()
    assert [item.model_dump() for item in step.body()] == [
        {"profession_code": "60", "rpps": DOCTOR_RPPS, "last_name": None, "first_name": None}
    ]
    step.remove("60")
    assert step.body() == []
    assert not step.changed()
    with pytest.raises(KeyError):
        step.add("00000000000")


# ---- 5. Qualification ----------------------------------------------------------------------------
def test_mandatory_prescription_fields() -> None:
    errors = PrescriptionForm().validate(0)
    assert errors == {
        "prescriptions.0.profession_code": "Ce champ est obligatoire",
        "prescriptions.0.care_type": "Ce champ est obligatoire",
        "prescriptions.0.care_mode": "Ce champ est obligatoire",
        "prescriptions.0.response_delay_minutes": "Ce champ est obligatoire",
        "prescriptions.0.comment": "Le commentaire est obligatoire",
        "prescriptions.0.intervention_date": NEITHER,
    }


def _valid_form(**values: str) -> PrescriptionForm:
    form = PrescriptionForm(
        profession_code="70",
        care_type="Kiné respiratoire",
        care_mode="office",
        response_delay_minutes="30",
        comment="Bronchiolite",
    )
    for name, value in values.items():
        setattr(form, name, value)
    return form


def test_intervention_date_xor_delay() -> None:
    assert _valid_form(intervention_date="12/08/2026", intervention_delay_minutes="30").validate(1) == {
        "prescriptions.1.intervention_delay_minutes": BOTH
    }
    assert _valid_form(intervention_date="12/08/2026").validate(1) == {}
    assert _valid_form(intervention_delay_minutes="30").validate(1) == {}
    assert _valid_form(intervention_date="12/08/2026", intervention_tz="").validate(1) == {
        "prescriptions.1.intervention_tz": "Choisissez le fuseau horaire"
    }
    assert _valid_form(intervention_date="12/08/2026", intervention_time="25:00").validate(0) == {
        "prescriptions.0.intervention_time": "Heure invalide (format HH:MM)"
    }


def test_a_date_goes_with_its_time_zone_a_delay_alone() -> None:
    body = _valid_form(
        intervention_date="12/08/2026", intervention_time="14:30", intervention_tz="America/Martinique"
    ).body()
    assert body.intervention_at is not None
    assert body.intervention_at.isoformat() == "2026-08-12T14:30:00"
    assert (body.intervention_tz, body.intervention_delay_minutes) == ("America/Martinique", None)
    delayed = _valid_form(intervention_delay_minutes="0").body()
    assert (delayed.intervention_at, delayed.intervention_tz, delayed.intervention_delay_minutes) == (
        None,
        None,
        0,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("days", "0", "Valeur trop petite (minimum 1)"),
        ("visits_per_day", "13", "Valeur trop grande (maximum 12)"),
        ("visits_per_day", "deux", "Nombre entier attendu"),
        ("response_delay_minutes", "20000", "Valeur trop grande (maximum 10080)"),
        ("comment", "   ", "Le commentaire est obligatoire"),
        ("care_mode", "teleport", "Valeur non proposée"),
        ("profession_code", "99", "Profession inconnue"),
        ("network_id", "abc", "Nombre entier attendu"),
    ],
)
def test_prescription_values_are_checked(field: str, value: str, message: str) -> None:
    form = _valid_form(intervention_delay_minutes="30", **{field: value})
    assert form.validate(2) == {f"prescriptions.2.{field}": message}


def test_the_summary_line_of_a_prescription() -> None:
    form = _valid_form(
        profession_code="60", care_mode="visit", intervention_date="12/08/2022", response_delay_minutes="120"
    )
    assert (
        form.summary()
        == "Infirmier(e) - Visite - Date d'intervention : 12/08/2022 - Délai de réponse : 2 heures"
    )


def test_the_requester_picked_in_the_directory() -> None:
    step = CallerStep(caller_name="Secrétariat", caller_user_id="3")
    found = DirectoryProfessional(
        rpps=DOCTOR_RPPS,
        last_name="PARADIS",
        first_name="Philippe",
        profession_code="10",
        profession="Médecin",
        specialty=None,
        commune=None,
        postal_code=None,
        phone=None,
        registered=False,
    )
    step.fill_requester_from_directory(found)
    assert step.validate() == {}
    assert step.requester_body().model_dump(exclude_none=True) == {
        "rpps": DOCTOR_RPPS,
        "name": "PARADIS Philippe",
        "profession_code": "10",
    }
    step.requester_profession_code = "99"
    assert step.validate() == {"requester_profession_code": "Profession inconnue"}


def test_names_too_long_and_a_patient_birth_date_are_refused() -> None:
    step = SearchStep(phone="06 12 34 56 78", last_name="A" * 101, first_name="Pablo", birth_date="1/1/1889")
    errors = step.validate(TODAY)
    assert errors == {
        "last_name": "Le champ « Nom » ne doit pas dépasser 100 caractères",
        "birth_date": "Date de naissance trop ancienne",
    }
    patient = _patient(sex="M", address_line="1 rue", birth_date="32/01/1952")
    patient.choose_commune(EVRY)
    assert patient.validate(TODAY)["birth_date"] == "Date invalide (format JJ/MM/AAAA)"
