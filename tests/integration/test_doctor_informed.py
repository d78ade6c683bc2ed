"""The médecin traitant is informed (seeds 001, FAQ « Médecin traitant »), on real servers (SQLite
and PostgreSQL) with the MSSanté extraction imported by the CLI and the MSSanté relay a local TLS
SMTP server that requires the platform's client certificate.

- not registered, with an MSSanté address: an acceptance → one mail through the relay, with the
  patient's identity and the fact only; a CR → a second mail, without the CR; never twice;
- registered: no mail; the patient and the CR in their « Patients en Coordination » (JSON and the
  web page), a notification row;
- every outcome audited on the patient.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from server.db import Database
from server.models import Prescription
from server.security.principal import Principal
from server.services.doctor_informed import inform_on_acceptance
from shared.domain import Role
from tests.integration.care_scenes import audit, ok, open_desk
from tests.integration.conftest import start_live
from tests.support.dispatch import Desk, Responder, place, prescription
from tests.support.live import LiveServer
from tests.support.smtp_server import Pki, SmtpServer, make_pki, smtp_server
from tests.support.web_pages import PRO, web_login

SAMPLE = (
    Path(__file__).parents[1] / "fixtures" / "mssante" / "Extraction_Correspondance_MSSante_202608261013.txt"
)
MARTIN = "81000000000"  # in the sample: two boxes, the « Dématérialisation » one first
MARTIN_BOX = "paul.martin@medecin.mssante.test"
PLATFORM_PHONE = "01 23 45 67 89"
CARE = "Pansement d'ulcère veineux"
COMMENT = "Plaie infectée, patiente diabétique sous insuline"
REPORT = "Ulcère en voie de cicatrisation, pas de signe infectieux"


@dataclass
class World:
    server: LiveServer
    relay: SmtpServer
    pki: Pki


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp(f"doctor-{request.param}")
    pki = make_pki(directory / "pki")
    with smtp_server(pki, require_client_certificate=True) as relay:
        env = {
            "CENTRALE_MSSANTE_HOST": relay.host,
            "CENTRALE_MSSANTE_PORT": str(relay.port),
            "CENTRALE_MSSANTE_CA_FILE": str(pki.ca_cert),
            "CENTRALE_MSSANTE_CLIENT_CERT": str(pki.client_cert),
            "CENTRALE_MSSANTE_CLIENT_KEY_FILE": str(pki.client_key),
            "CENTRALE_MSSANTE_FROM": "Centrale <centrale@plateforme.mssante.test>",
            "CENTRALE_PLATFORM_NAME": "Centrale Test",
            "CENTRALE_PLATFORM_PHONE": PLATFORM_PHONE,
        }
        for server in start_live(request.param, directory, **env):
            done = server.process.cli("import-mssante", str(SAMPLE))
            assert done.returncode == 0, done.stderr
            yield World(server, relay, pki)


@pytest.fixture(scope="module")
def desk(world: World) -> Iterator[Desk]:
    yield from open_desk(world.server)


def scene(desk: Desk, doctor_rpps: str, doctor_name: str) -> tuple[dict[str, Any], int, Responder]:
    """A patient whose médecin traitant is `doctor_rpps`, a nurse's prescription accepted."""
    lat, lon = place()
    nurse = desk.responders(1, lat, lon)[0]
    patient = desk.patient(lat, lon, birth_date_obj=date(1941, 3, 9), address_line="7 impasse des Tilleuls")
    usual = [{"profession_code": "10", "rpps": doctor_rpps, "last_name": doctor_name, "first_name": "Paul"}]
    ok(desk.operator.put(f"/patients/{patient['id']}/usual-professionals", json=usual))
    line = desk.send(patient["id"], prescription(care_type=CARE, comment=COMMENT))["prescriptions"][0]
    pid = int(line["id"])
    ok(nurse.client.post(f"/prescriptions/{pid}/accept"))
    return patient, pid, nurse


def deliveries(world: World, prescription_id: int) -> list[dict[str, Any]]:
    engine = create_engine(world.server.database_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT channel, recipient, status, reason, user_id, dedup_key, text FROM deliveries "
                    "WHERE purpose = 'doctor_informed' AND dedup_key LIKE :key ORDER BY id"
                ),
                {"key": f"doctor-informed:{prescription_id}:%"},
            )
            return [dict(r._mapping) for r in found]
    finally:
        engine.dispose()


def mails_to(world: World, address: str) -> list[Any]:
    return [
        m for m, (_, rcpt) in zip(world.relay.messages, world.relay.envelopes, strict=True) if address in rcpt
    ]


def wait_mails(world: World, address: str, count: int) -> list[Any]:
    world.relay.wait_for(len(world.relay.messages) + count - len(mails_to(world, address)), timeout=20)
    return mails_to(world, address)


def test_a_doctor_not_registered_gets_one_mssante_mail_per_event_and_never_twice(
    world: World, desk: Desk
) -> None:
    patient, pid, nurse = scene(desk, MARTIN, "Martin")
    [mail] = wait_mails(world, MARTIN_BOX, 1)
    body = mail.get_content()
    assert mail["Subject"] == "Centrale Test : prise en charge d'un de vos patients"
    assert f"{patient['last_name'].upper()} Hélène, née le 09/03/1941" in body
    assert "Une prise en charge est effectuée autour de ce patient" in body
    assert PLATFORM_PHONE in body
    assert "Bonjour Docteur MARTIN," in body
    secrets = [
        CARE,
        "Pansement",
        COMMENT,
        "diabétique",
        "Tilleuls",
        patient["phone"],
        nurse.name,
        "Infirmier",
    ]
    assert [s for s in secrets if s.casefold() in body.casefold()] == []
    # It went through the relay that demanded the platform's certificate (signed by the test CA).
    assert any("centrale.test (plateforme)" in subject for subject in world.relay.peer_certificates)

    ok(nurse.client.post(f"/prescriptions/{pid}/start"))
    ok(nurse.client.post(f"/prescriptions/{pid}/reports", json={"text": REPORT}), 201)
    first, second = wait_mails(world, MARTIN_BOX, 2)
    assert first is mail
    report_body = second.get_content()
    assert "Un bilan a été rédigé" in report_body
    assert "cicatrisation" not in report_body
    assert "Ulcère" not in report_body

    # Queued again (a retried transaction, a replayed hook): the same rows, no third mail.
    db = Database(world.server.database_url)
    try:
        with db.session() as session:
            found = session.get(Prescription, pid)
            assert found is not None
            acceptor = Principal(nurse.id, "x", Role.PROFESSIONAL, nurse.name, (), nurse.rpps)
            inform_on_acceptance(session, found, acceptor, desk.now())
    finally:
        db.dispose()
    world.relay.wait_for(len(world.relay.messages) + 1, timeout=3)
    assert len(mails_to(world, MARTIN_BOX)) == 2
    rows = deliveries(world, pid)
    assert [(r["channel"], r["recipient"], r["status"]) for r in rows] == [
        ("mssante", MARTIN_BOX, "sent"),
        ("mssante", MARTIN_BOX, "sent"),
    ]
    entries = audit(desk, action="doctor_informed", patient_id=patient["id"])
    assert sorted((e["detail"]["event"], e["detail"]["channel"]) for e in entries) == [
        ("accepted", "mssante"),
        ("accepted", "mssante"),  # the replay is audited too: it looked the address up again
        ("report", "mssante"),
    ]
    assert all(e["username"] == "centrale" and e["detail"]["triggered_by"] == nurse.id for e in entries)


def test_a_doctor_without_mssante_address_is_not_mailed_and_the_audit_says_why(
    world: World, desk: Desk
) -> None:
    before = len(world.relay.messages)
    patient, pid, _nurse = scene(desk, "81000000026", "Sansadresse")  # its only line was rejected
    world.relay.wait_for(before + 1, timeout=3)
    assert len(world.relay.messages) == before
    assert deliveries(world, pid) == []
    [entry] = audit(desk, action="doctor_informed", patient_id=patient["id"])
    assert (entry["detail"]["channel"], entry["detail"]["reason"]) == (
        "none",
        "médecin traitant non inscrit et sans adresse MSSanté",
    )


def test_a_registered_doctor_sees_the_patient_and_the_cr_in_coordination_and_gets_no_mail(
    world: World, desk: Desk
) -> None:
    lat, lon = place()
    doctor = desk.responders(1, lat, lon, profession_code="10", last_name="Généraliste")[0]
    before = len(world.relay.messages)
    patient, pid, nurse = scene(desk, doctor.rpps, "Généraliste")
    ok(nurse.client.post(f"/prescriptions/{pid}/start"))
    ok(nurse.client.post(f"/prescriptions/{pid}/reports", json={"text": REPORT}), 201)

    coordination = ok(doctor.client.get("/me/cases", params={"section": "coordination"}))
    [item] = [i for i in coordination["items"] if i["id"] == pid]
    assert item["patient"]["last_name"] == patient["last_name"]
    assert [r["text"] for r in item["care"]["reports"]] == [REPORT]
    web = web_login(world.server.process.base_url, doctor.profile["username"])
    try:
        page = web.get(f"{PRO}coordination/{pid}")
        assert page.status_code == 200, page.text
        assert REPORT in page.text
        assert patient["last_name"] in page.text
    finally:
        web.close()

    world.relay.wait_for(before + 1, timeout=3)
    assert len(world.relay.messages) == before  # registered: never a mail
    rows = deliveries(world, pid)
    assert [(r["user_id"], r["status"]) for r in rows] == [
        (doctor.id, "suppressed"),
        (doctor.id, "suppressed"),
    ]
    assert all(patient["last_name"] not in r["text"] for r in rows)
    entries = audit(desk, action="doctor_informed", patient_id=patient["id"])
    assert sorted((e["detail"]["event"], e["detail"]["channel"], e["detail"]["user"]) for e in entries) == [
        ("accepted", "coordination", doctor.id),
        ("report", "coordination", doctor.id),
    ]
    reads = audit(desk, action="my_cases", user_id=doctor.id, patient_id=patient["id"])
    assert reads, "la lecture de « Patients en Coordination » est auditée"
