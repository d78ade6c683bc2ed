"""Lines of the MSSanté extraction (server/directory/mssante_format.py) and the médecin traitant's
mail built from a patient (server/services/doctor_informed.py): pure, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bench.make_mssante import HEADER
from server.directory.mssante_format import LineRejected, LineSkipped, MailboxParser, MssanteLayout
from server.models import Patient
from server.services.doctor_informed import PlatformContact, mail_text, notice_text

RPPS = "81000000018"


def line(**values: str) -> str:
    return "|".join(values.get(name, "") for name in HEADER)


def parser(header: list[str] = HEADER, closing_bar: bool = False) -> MailboxParser:
    return MailboxParser(MssanteLayout.from_header("|".join(header) + ("|" if closing_bar else "") + "\r\n"))


def person(**more: str) -> dict[str, str]:
    return {
        "Type de BAL": "PER",
        "Adresse BAL": "H.Durand@Medecin.mssante.test",
        "Type Identifiant PP": "8",
        "Identifiant PP": RPPS,
        "Identification nationale PP": "8" + RPPS,
        "Nom d'exercice": "DURAND",
        "Prénom d'exercice": "Hélène",
        "Code Profession": "10",
        "Dématérialisation": "O",
        **more,
    }


def test_a_personal_box_is_read_by_header_name_whatever_the_spelling_and_closing_bar() -> None:
    variant = [
        "Type d'identifiant PP"
        if n == "Type Identifiant PP"
        else f"{n} structure BAL"
        if n == "Code postal"
        else n
        for n in reversed(HEADER)
    ]
    values = person()
    reordered = "|".join(
        values.get("Type Identifiant PP" if n == "Type d'identifiant PP" else n, "") for n in variant
    )
    for found in (parser().parse(line(**values)), parser(variant).parse(reordered + "|\n")):
        assert found == (RPPS, "8", "h.durand@medecin.mssante.test", "DURAND", "Hélène", "10", True)


def test_the_type_of_identifier_comes_from_the_national_id_or_the_length_when_absent() -> None:
    without_type = person(**{"Type Identifiant PP": ""})
    assert parser().parse(line(**without_type)).id_type == "8"
    adeli = person(
        **{"Type Identifiant PP": "", "Identification nationale PP": "", "Identifiant PP": "691234567"}
    )
    assert parser().parse(line(**adeli))[:2] == ("691234567", "0")


@pytest.mark.parametrize(
    "values",
    [
        {"Type de BAL": "ORG", "Adresse BAL": "secretariat@ch.mssante.test"},
        {"Type de BAL": "APP", "Adresse BAL": "logiciel@ch.mssante.test"},
        {"Type de BAL": "PER", "Adresse BAL": "interne@ch.mssante.test", "Nom d'exercice": "INTERNE"},
    ],
)
def test_boxes_of_nobody_are_skipped_not_rejected(values: dict[str, str]) -> None:
    with pytest.raises(LineSkipped):
        parser().parse(line(**values))


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (person(**{"Identifiant PP": "81000000019"}), "Numéro RPPS invalide (clé de contrôle)"),
        (person(**{"Type Identifiant PP": "5"}), "type d'identifiant « 5 » inconnu"),
        (person(**{"Adresse BAL": "durand<at>medecin"}), "adresse BAL « durand<at>medecin » invalide"),
        (person(**{"Adresse BAL": "a@b.test, c@d.test"}), "invalide"),
        (person(**{"Adresse BAL": ""}), "adresse BAL manquante"),
    ],
)
def test_bad_lines_are_rejected_with_a_french_reason(values: dict[str, str], reason: str) -> None:
    with pytest.raises(LineRejected) as rejected:
        parser().parse(line(**values))
    assert reason in str(rejected.value)


def test_a_short_line_and_an_unknown_header_are_said_in_french() -> None:
    with pytest.raises(LineRejected, match="3 colonnes au lieu de 31"):
        parser().parse("PER|x@y.test|8")
    with pytest.raises(ValueError, match=r"En-tête MSSanté non reconnu.*« Adresse BAL »"):
        MssanteLayout.from_header("Type de BAL|Identifiant PP\n")


def patient() -> Patient:
    return Patient(
        last_name="Lefèvre", first_name="Anaïs", birth_last_name="Moreau", sex="F",
        birth_date=date(1941, 3, 9), phone="+33612345678", address_line="7 impasse des Tilleuls",
        postal_code="69003", city="Lyon", nir="241037511212345",
    )  # fmt: skip


def test_the_mail_says_who_and_that_care_takes_place_in_paris_time_and_nothing_of_the_care() -> None:
    platform = PlatformContact(name="Centrale Lyon", phone="04 00 00 00 00", url="https://centrale.test")
    late_evening_utc = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # already the 10th in Paris
    subject, text = mail_text(patient(), "accepted", "Durand", late_evening_utc, platform)
    assert subject == "Centrale Lyon : prise en charge d'un de vos patients"
    assert "Bonjour Docteur DURAND," in text
    assert "LEFÈVRE Anaïs (née MOREAU), née le 09/03/1941" in text
    assert "Une prise en charge est effectuée autour de ce patient depuis le 10/03/2026" in text
    assert "contactez Centrale Lyon au 04 00 00 00 00." in text
    assert "https://centrale.test/pro/" in text
    for secret in ("Tilleuls", "+33612345678", "241037511212345", "69003", "Lyon\n"):
        assert secret not in text
    _, report = mail_text(patient(), "report", None, late_evening_utc, PlatformContact())
    assert report.startswith("Bonjour Docteur,\n")
    assert "Un bilan a été rédigé le 10/03/2026" in report


def test_the_notice_of_a_registered_doctor_names_nobody() -> None:
    notice = notice_text("accepted", PlatformContact())
    assert (
        notice == "Centrale : Un de vos patients est pris en charge. Consultez « Patients en Coordination »."
    )
