"""The back office's Qt-free state: filters and forms checked in French, rows as shown (Paris time,
French labels), pages of the audit trail, the home page's lines and the CSV file written whole."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.state.back_office.accounts import (
    FormInvalid,
    NetworkRow,
    UserForm,
    UserRow,
    check_network_name,
    link_notice,
)
from desktop.state.back_office.audit import AuditFilterForm, AuditLog, AuditRow, FilterInvalid, action_code
from desktop.state.back_office.home import overview_lines, save_file
from desktop.state.back_office.professionals import ProfessionalCriteria, ProfessionalRow, SettingsForm
from shared.domain import Availability, Role
from shared.schemas.admin import PasswordLinkIssued, ProfessionalOut
from shared.schemas.auth import UserOut
from shared.schemas.back_office import BackOfficeOverview, BlockedLogin, NetworkSummary
from shared.schemas.professional import Channels, DaySchedule, ProfileOut
from shared.schemas.system import AuditEntryOut


def _entry(entry_id: int, at: datetime, **overrides: object) -> AuditEntryOut:
    data: dict[str, object] = {
        "id": entry_id,
        "at": at,
        "user_id": 7,
        "username": "martine",
        "role": "operator",
        "action": "patient_read",
        "patient_id": 42,
        "method": "GET",
        "path": "/api/v1/patients/42",
        "status": 200,
        "client_ip": "127.0.0.1",
        "client_agent": "centrale-desktop",
        "detail": {},
    }
    data.update(overrides)
    return AuditEntryOut.model_validate(data)


# ---- audit trail ----------------------------------------------------------------------------------


def test_audit_filters_become_the_servers_query() -> None:
    form = AuditFilterForm(user="Martine", patient="n° 42", action="Export du journal d'audit")
    form.since, form.until = "01/03/2025", "2025-03-31"
    assert form.params() == {
        "username": "martine",
        "patient_id": 42,
        "action": "admin_audit_export",
        "since": "2025-03-01",
        "until": "2025-03-31",
    }
    assert AuditFilterForm(user="12", action="patient_read").params() == {
        "user_id": 12,
        "action": "patient_read",
    }
    assert AuditFilterForm().params() == {}
    assert action_code("accès refusé") == "forbidden"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (AuditFilterForm(patient="douze"), "Patient : numéro de patient invalide « douze »"),
        (AuditFilterForm(since="31/02/2025"), "Du : date invalide « 31/02/2025 » (JJ/MM/AAAA attendu)"),
        (
            AuditFilterForm(since="10/03/2025", until="01/03/2025"),
            "Période : la fin de la période doit suivre son début",
        ),
        (AuditFilterForm(action="DROP TABLE"), "Action : action inconnue « DROP TABLE »"),
        (AuditFilterForm(user="Jean Dupont"), "Utilisateur : identifiant invalide « Jean Dupont »"),
    ],
)
def test_bad_audit_filters_are_said_in_french(form: AuditFilterForm, message: str) -> None:
    with pytest.raises(FilterInvalid) as refused:
        form.params()
    assert str(refused.value) == message


def test_audit_rows_are_in_paris_time_with_french_actions() -> None:
    winter = _entry(1, datetime(2025, 1, 15, 23, 30, 5, tzinfo=UTC))  # 00:30 the next day in Paris
    row = AuditRow.of(winter)
    assert row.cells[:6] == (
        "16/01/2025 00:30:05",
        "martine (n° 7)",
        "operator",
        "Lecture d'un dossier patient",
        "42",
        "200",
    )
    summer = AuditRow.of(
        _entry(2, datetime(2025, 7, 1, 10, 0, 0, tzinfo=UTC), action="custom_x", detail={"a": "é"})
    )
    assert summer.cells[0] == "01/07/2025 12:00:00"
    assert summer.cells[3] == "custom_x"
    assert summer.cells[7] == '{"a": "é"}'
    anonymous = AuditRow.of(_entry(3, datetime(2025, 7, 1, tzinfo=UTC), user_id=None, username=None))
    assert anonymous.cells[1] == "—"


def test_audit_pages_newest_first() -> None:
    log = AuditLog()
    log.reset({"action": "forbidden"})
    at = datetime(2025, 3, 1, tzinfo=UTC)
    log.add_page([_entry(i, at) for i in (9, 8)], page_size=2)
    assert (log.next_before(), log.complete) == (8, False)
    assert log.summary().endswith("« Suite »")
    log.add_page([_entry(5, at)], page_size=2)
    assert (log.next_before(), log.complete) == (5, True)
    assert log.summary() == "3 entrée(s) affichée(s), les plus récentes d'abord"
    log.reset({})
    assert log.summary() == "Aucune entrée pour ces filtres"


def test_csv_name_follows_the_period_in_paris() -> None:
    late = datetime(2025, 3, 31, 22, 30, tzinfo=UTC)  # already 1 April in Paris
    assert AuditFilterForm(since="01/03/2025").csv_name(late) == "journal-audit-2025-03-01-2025-04-01.csv"
    assert AuditFilterForm(until="15/03/2025").csv_name(late) == "journal-audit-debut-2025-03-15.csv"


# ---- users and networks ---------------------------------------------------------------------------


def test_user_form() -> None:
    form = UserForm("martine.r", " Martine R. ", Role.OPERATOR, (3, 1), " martine@cabinet.fr ", "")
    # No password in the body (issue 17): the account chooses its own with a one-time link.
    assert form.creation() == {
        "username": "martine.r",
        "role": "operator",
        "display_name": "Martine R.",
        "network_ids": [1, 3],
        "email": "martine@cabinet.fr",
    }
    assert UserForm("martine", "M", Role.SECRETARY, (), "", "06 12 34 56 78").creation()["phone"] == (
        "06 12 34 56 78"
    )
    with pytest.raises(FormInvalid) as refused:
        UserForm("M", "", Role.OPERATOR, (), "martine-sans-domaine").creation()
    assert set(refused.value.errors) == {"Identifiant", "Nom affiché", "E-mail"}
    issued = PasswordLinkIssued(
        channel="handover", link_id=1, expires_at=datetime(2026, 1, 1, tzinfo=UTC), link="https://x/?jeton=a",
        message="Lien à remettre en main propre.",
    )  # fmt: skip
    assert link_notice(issued) == "Lien à remettre en main propre. Lien : https://x/?jeton=a"
    assert link_notice(issued.model_copy(update={"channel": "email", "link": None})) == issued.message
    assert link_notice(None) == ""
    user = UserOut(
        id=4, username="martine", role=Role.OPERATOR, display_name="M", network_ids=[1], active=True
    )
    assert UserForm("martine", "M", Role.OPERATOR, (1,)).changes(user) == {}
    assert UserForm("martine", "Martine", Role.SUPERVISOR, ()).changes(user) == {
        "display_name": "Martine",
        "role": "supervisor",
        "network_ids": [],
    }
    row = UserRow.of(user.model_copy(update={"active": False}), {1: "CPTS Sud"})
    assert row.cells == ("martine", "M", "Opérateur de la centrale", "CPTS Sud", "Désactivé")


def test_networks() -> None:
    assert check_network_name("  CPTS   du  Val ") == "CPTS du Val"
    with pytest.raises(FormInvalid):
        check_network_name(" A ")
    row = NetworkRow.of(NetworkSummary(id=1, name="CPTS", members=5, professionals=3, active_members=4))
    assert row.cells == ("CPTS", "5", "3", "4")


# ---- professionals --------------------------------------------------------------------------------


def _profile(**overrides: object) -> ProfileOut:
    data: dict[str, object] = {
        "availability": Availability.BOTH,
        "availability_label": "Disponible (C&V)",
        "unavailable_until": None,
        "resumes_as": None,
        "notification_windows": [DaySchedule(weekday=d) for d in range(7)],
        "care_modes": ["visit", "office"],
        "radius_km": 10.0,
        "communes": ["91228"],
        "served_communes": [],
        "channels": Channels(),
        "timezone": "Europe/Paris",
    }
    data.update(overrides)
    return ProfileOut.model_validate(data)


def test_professional_criteria_and_settings() -> None:
    criteria = ProfessionalCriteria(
        name=" dal ", rpps="1234 5", profession="60", commune="Évry", network_id=2, active=False
    )
    assert criteria.params() == {
        "q": "dal",
        "rpps": "12345",
        "commune": "Évry",
        "profession": "60",
        "network_id": 2,
        "active": "false",
    }
    with pytest.raises(FormInvalid) as refused:
        ProfessionalCriteria(rpps="12a", profession="99").params()
    assert set(refused.value.errors) == {"RPPS", "Profession"}

    profile = _profile()
    form = SettingsForm.of(profile)
    assert (form.availability, form.radius_km, form.communes) == (Availability.BOTH, "10", "91228")
    assert form.body(profile) == {}
    form.availability, form.radius_km, form.communes = Availability.OFFICE, "12,5", "91228, 2a004 75056"
    assert form.body(profile) == {
        "availability": "office",
        "radius_km": 12.5,
        "communes": ["2A004", "75056", "91228"],
    }
    with pytest.raises(FormInvalid) as wrong:
        SettingsForm(Availability.BOTH, "0", "9122").body(profile)
    assert set(wrong.value.errors) == {"Rayon", "Communes desservies"}


def test_professional_row() -> None:
    pro = ProfessionalOut.model_validate(
        {
            "user_id": 3,
            "username": "pro3",
            "active": True,
            "rpps": "10000000001",
            "last_name": "D'Almeida",
            "first_name": "Jean",
            "profession_code": "60",
            "profession": "Infirmier",
            "specialty_code": None,
            "phone": None,
            "commune_insee": "91228",
            "commune_name": "Évry-Courcouronnes",
            "postal_code": "91000",
            "latitude": 48.6,
            "longitude": 2.4,
            "radius_km": 10.0,
            "availability": "visit",
            "unavailable_until": None,
            "timezone": "Europe/Paris",
            "network_ids": [2],
            "notification_windows": [],
        }
    )
    assert ProfessionalRow.of(pro, {2: "CPTS"}).cells == (
        "D'Almeida",
        "Jean",
        "10000000001",
        "Infirmier",
        "Évry-Courcouronnes (91000)",
        "Disponible Visite",
        "10 km",
        "CPTS",
        "Actif",
    )


# ---- home and files -------------------------------------------------------------------------------


def test_overview_lines() -> None:
    overview = BackOfficeOverview(
        users_by_role={"operator": 3, "secretary": 1, "supervisor": 2, "admin": 1, "professional": 40},
        inactive_users=2,
        professionals_active=40,
        professionals_inactive=1,
        networks=4,
        blocked_logins=[BlockedLogin(username="ghost", blocked_until="2025-07-01T10:00:30+00:00")],
        refusals_last_24h=5,
    )
    lines = overview_lines(overview)
    assert (
        lines[0] == "Comptes actifs : 3 opérateur(s), 1 secrétaire(s), 2 superviseur(s), 1 administrateur(s)"
    )
    assert "Accès refusés ces dernières 24 h : 5" in lines
    assert lines[-1] == "Comptes bloqués par les essais de connexion : ghost (jusqu'à 12:00:30)"
    assert overview_lines(overview.model_copy(update={"blocked_logins": []}))[-1] == (
        "Aucun compte bloqué par les essais de connexion"
    )


def test_csv_saved_whole(tmp_path: Path) -> None:
    target = tmp_path / "exports" / "journal.csv"
    save_file(target, b"\xef\xbb\xbfDate;Heure\r\n")
    assert target.read_bytes() == b"\xef\xbb\xbfDate;Heure\r\n"
    save_file(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["journal.csv"]
