"""An accept that arrives after the deadline but before the timer ran is refused.

The test clock always runs the timers when it moves, so this window is reached through the
services on a real database instead of over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from server.clock import Clock
from server.db import Database
from server.errors import DomainError
from server.http_status import http_status
from server.migrate import upgrade
from server.models import ProfessionalProfile, User
from server.security.principal import Principal
from server.services import answers, cases, patients
from server.services.accounts import create_professional, create_user
from shared.domain import Role
from shared.schemas.admin import ProfessionalCreate, UserCreate
from shared.schemas.dispatch import CaseCreate
from shared.schemas.patients import PatientCreate
from tests.integration.conftest import database_url
from tests.support import postgres
from tests.support.live import PASSWORD, rpps_with_key


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = database_url(request.param, tmp_path)
    database = Database(url)
    upgrade(database.engine)
    yield database
    database.dispose()
    if request.param == "postgresql":
        postgres.drop_database(url)


def test_accept_after_the_deadline_is_refused_even_before_the_timer(db: Database) -> None:
    now = Clock().now()
    with db.session() as session:
        operator = create_user(
            session,
            UserCreate(username="operateur", password=PASSWORD, role=Role.OPERATOR, display_name="Op"),
            now,
        )
        profile = create_professional(
            session,
            ProfessionalCreate(
                username="nurse",
                password=PASSWORD,
                rpps=rpps_with_key(42),
                last_name="Dupont",
                first_name="Anne",
                profession_code="60",
                latitude=48.0,
                longitude=2.0,
            ),
            now,
        )
        by = Principal.of(operator)
        patient = patients.create_patient(
            session,
            PatientCreate(
                last_name="Martin",
                first_name="Paul",
                sex="M",
                birth_date=date(1950, 1, 1),
                phone="01 99 00 00 01",
                address_line="1 rue A",
                postal_code="91000",
                city="Évry",
                latitude=48.0,
                longitude=2.0,
            ),
            by,
            now,
        )
        created = cases.create_case(
            session,
            CaseCreate.model_validate(
                {
                    "caller": {"name": "Dr X"},
                    "requester": {"rpps": profile.rpps},
                    "patient_id": patient.id,
                    "prescriptions": [
                        {
                            "profession_code": "60",
                            "care_type": "Pansement",
                            "care_mode": "visit",
                            "intervention_delay_minutes": 30,
                            "response_delay_minutes": 10,
                            "comment": "Pansement",
                        }
                    ],
                }
            ),
            by,
            now,
            None,
        )
    prescription_id = created.prescriptions[0].id
    assert created.prescriptions[0].notified_count == 1
    with db.session() as session:
        nurse = session.scalar(select(User).join(ProfessionalProfile).where(User.username == "nurse"))
        assert nurse is not None
        responder = Principal.of(nurse)
    late = now + timedelta(minutes=10, seconds=1)
    with pytest.raises(DomainError) as refused, db.session() as session:
        answers.accept(session, prescription_id, responder, late)
    assert (http_status(refused.value), refused.value.code) == (409, "deadline_passed")
    assert refused.value.message == "Le délai de réponse est dépassé"
    just_in_time = now + timedelta(minutes=9, seconds=59)
    with db.session() as session:
        accepted = answers.accept(session, prescription_id, responder, just_in_time)
        assert accepted.state == "accepted"
