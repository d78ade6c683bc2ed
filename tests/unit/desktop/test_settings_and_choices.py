"""The settings dialog's rules (server URL, SIP account, what applies when), the network choices
of « Restreindre au réseau », and a known patient's phones shown nationally, sent normalised."""

from __future__ import annotations

import pytest

from desktop.settings import Settings, check_server_url, restart_notes, sip_errors
from desktop.state.wizard.patient_step import PatientStep
from desktop.state.wizard.qualification_step import NO_RESTRICTION, network_choices
from shared.schemas.admin import NetworkOut
from shared.schemas.patients import PatientOut
from tests.support.desktop_server import patient_answer


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
        (" https://centrale.exemple.fr ", "https://centrale.exemple.fr"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_a_server_url_is_kept_without_its_trailing_slash(typed: str, kept: str) -> None:
    assert check_server_url(typed) == kept


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("centrale.exemple.fr", "Adresse du serveur invalide"),
        ("ftp://centrale", "Adresse du serveur invalide"),
        ("http://", "Adresse du serveur invalide"),
        ("http://hote:99999", "Port du serveur invalide"),
        ("http://hote/?a=1", "ni « \\? » ni « # »"),
    ],
)
def test_a_wrong_server_url_is_refused_in_french(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_server_url(typed)


def test_the_sip_account_is_optional_but_checked_once_begun() -> None:
    assert sip_errors("", "", "") == {}
    assert sip_errors("sip:operateur@pbx.exemple.fr", "sip:pbx.exemple.fr:5060", "operateur") == {}
    assert sip_errors("sips:op@10.0.0.1", "", "op") == {}
    errors = sip_errors("operateur", "pbx", "")
    assert errors == {
        "sip_uri": "Adresse SIP invalide : sip:utilisateur@domaine attendu",
        "sip_registrar": "Serveur d'enregistrement invalide : sip:domaine[:port] attendu",
    }
    assert sip_errors("sip:op@pbx", "", "") == {
        "sip_username": "Identifiant SIP obligatoire avec un compte SIP"
    }


def test_restart_notes_say_once_what_applies_when() -> None:
    before = Settings()
    after = Settings(server_url="https://autre", sip_uri="sip:a@b", sip_username="a", audio_ring="USB")
    assert restart_notes(before, after) == [
        "le serveur central : à la prochaine connexion",
        "le compte SIP : au prochain démarrage de Centrale",
        "les périphériques audio : au prochain démarrage de Centrale",
    ]
    assert restart_notes(before, Settings(username="x")) == []  # the last login: nothing to apply
    assert restart_notes(before, before, password_changed=True) == [
        "le compte SIP : au prochain démarrage de Centrale"
    ]


def test_network_choices_are_the_users_networks_by_name_after_no_restriction() -> None:
    networks = [
        NetworkOut(id=3, name="Réseau Sud"),
        NetworkOut(id=1, name="CPTS Nord"),
        NetworkOut(id=2, name="X"),
    ]
    assert network_choices(networks, [3, 1]) == [
        ("", NO_RESTRICTION),
        ("1", "CPTS Nord"),
        ("3", "Réseau Sud"),
    ]
    # a value already chosen (a draft) outside the user's networks stays offered
    assert network_choices(networks, [1], keep=["", "2", "2"]) == [
        ("", NO_RESTRICTION),
        ("1", "CPTS Nord"),
        ("2", "Réseau n° 2"),
    ]
    assert network_choices([], []) == [("", NO_RESTRICTION)]


def test_a_known_patients_phones_are_shown_nationally_and_sent_normalised() -> None:
    patient = PatientOut.model_validate(
        {**patient_answer(5), "phone": "+33612345678", "phone2": "+590590123456"}
    )
    step = PatientStep.from_patient(patient)
    assert (step.phone, step.phone2) == ("06 12 34 56 78", "05 90 12 34 56")
    assert step.patch_body() is None  # shown differently, not changed
    step.set_value("phone", "07.61.71.72.29")
    patch = step.patch_body()
    assert patch is not None
    assert patch.model_dump(exclude_unset=True) == {"phone": "+33761717229", "version": 1}
