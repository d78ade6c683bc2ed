"""Creating a case with its prescriptions, once per idempotency key.

The hotline's staff send for anyone; a professional (the app's « Demander un déclenchement »)
sends in their own name, for a patient they may see (server/services/ties.py: usual professional,
acceptor, requester, or the creator of the file), with the same checks otherwise.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from server.errors import Forbidden, Invalid, not_found
from server.models import (
    CASE_NUMBER_BASE,
    Case,
    IdempotencyRecord,
    Network,
    Patient,
    Prescription,
    ProfessionalProfile,
    User,
)
from server.security.principal import Principal
from server.services import feed
from server.services.acting import Acting
from server.services.dispatch import notify_round, plan_round
from server.services.idempotency_keys import checked_key
from server.services.intervention_time import intervention_utc
from server.services.patient_files import NOT_YOURS
from server.services.patients import add_event
from server.services.ties import patient_access
from shared.domain import PROFESSIONS, PrescriptionState, Role
from shared.schemas.dispatch import CaseCreate, CaseCreated, PrescriptionSent
from shared.schemas.feed import PatientCase
from shared.schemas.feed import PrescriptionSent as FeedSent


def request_hash(body: CaseCreate) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def replay(session: Session, key: str, principal: Principal, body: CaseCreate) -> CaseCreated | None:
    """The stored answer for this key, or None when the key is new."""
    record = session.get(IdempotencyRecord, key)
    if record is None:
        return None
    if record.user_id != principal.id or record.request_hash != request_hash(body):
        raise Invalid("idempotency_key_reused", "Cette clé d'idempotence a déjà servi pour une autre demande")
    assert record.response is not None  # stored in the same transaction as the key
    return CaseCreated.model_validate(record.response)


def _requester(session: Session, body: CaseCreate) -> dict[str, object]:
    req = body.requester
    if req.user_id is not None:
        user = session.get(User, req.user_id)
        if user is None:
            raise Invalid("requester_unknown", "Demandeur inconnu")
        profile = user.professional
        code = profile.profession_code if profile else req.profession_code
        return {
            "user_id": user.id,
            "rpps": profile.rpps if profile else None,
            "name": user.display_name,
            "profession_code": code,
            "profession": PROFESSIONS.get(code or ""),
        }
    profile = session.scalar(select(ProfessionalProfile).where(ProfessionalProfile.rpps == req.rpps))
    name = f"{profile.last_name.upper()} {profile.first_name}" if profile else req.name
    code = profile.profession_code if profile else req.profession_code
    return {
        "user_id": profile.user_id if profile else None,
        "rpps": req.rpps,
        "name": name,
        "profession_code": code,
        "profession": PROFESSIONS.get(code or ""),
    }


_PRESCRIPTION_COLUMNS = [c.key for c in Prescription.__table__.columns if c.key != "id"]


def _insert_together(session: Session, prescriptions: list[Prescription]) -> None:
    """One INSERT … RETURNING for the case's prescriptions (the rounds need their ids), then the
    objects join the session as rows already written: the unit of work's flush of new objects
    cost more than the whole insert. Every column is set by `create_case` and `plan_round`."""
    rows = [{key: getattr(p, key) for key in _PRESCRIPTION_COLUMNS} for p in prescriptions]
    table = Prescription.__table__
    assert isinstance(table, Table)
    ids = (
        session.connection()
        .execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        .scalars()
    )
    for prescription, prescription_id in zip(prescriptions, ids, strict=True):
        prescription.id = prescription_id
        make_transient_to_detached(prescription)
        session.add(prescription)


def check_professional_sender(session: Session, body: CaseCreate, principal: Principal) -> None:
    if principal.role != Role.PROFESSIONAL:
        return
    requester = body.requester
    if requester.user_id != principal.id and (requester.rpps is None or requester.rpps != principal.rpps):
        raise Forbidden(
            "requester_not_self",
            "Un professionnel déclenche en son propre nom : indiquez-vous comme demandeur",
        )
    patient = session.get(Patient, body.patient_id)
    if patient is None:
        raise not_found("Patient")
    if patient_access(session, patient, principal) is None:
        raise Forbidden("forbidden", NOT_YOURS)


def create_case(
    session: Session, body: CaseCreate, principal: Principal, now: datetime, idempotency_key: str | None
) -> CaseCreated:
    check_professional_sender(session, body, principal)
    if idempotency_key is not None:
        # Inserted first: a concurrent request with the same key waits on this row and then fails.
        session.execute(
            insert(IdempotencyRecord).values(
                key=idempotency_key, user_id=principal.id, request_hash=request_hash(body), created_at=now
            )
        )
    # After the key: a replay of a case accepted earlier is not refused because its time has passed.
    moments = [intervention_utc(item, index, now) for index, item in enumerate(body.prescriptions)]
    patient = session.get(Patient, body.patient_id)
    if patient is None:
        raise not_found("Patient")
    network_ids = {p.network_id for p in body.prescriptions if p.network_id is not None}
    known = (
        set(session.scalars(select(Network.id).where(Network.id.in_(network_ids)))) if network_ids else set()
    )
    if network_ids - known:
        raise Invalid(
            "network_unknown", f"Réseau inconnu : {', '.join(map(str, sorted(network_ids - known)))}"
        )
    requester = _requester(session, body)
    case_id = session.execute(
        insert(Case)
        .values(
            # A unique placeholder until the id is known: a shared one ("") would make every
            # concurrent case creation wait on the unique index for the previous one to commit.
            number=f"~{secrets.token_hex(5)}",
            patient_id=patient.id,
            caller=body.caller.model_dump(mode="json"),
            requester=requester,
            requester_user_id=requester["user_id"],
            created_by=principal.id,
            created_at=now,
        )
        .returning(Case.id)
    ).scalar_one()
    number = str(CASE_NUMBER_BASE + case_id)
    session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(number=number)
        .execution_options(synchronize_session=False)
    )
    planned = []
    for item, moment in zip(body.prescriptions, moments, strict=True):
        prescription = Prescription(
            case_id=case_id,
            round=1,
            profession_code=item.profession_code,
            care_type=item.care_type,
            care_mode=item.care_mode.value,
            network_id=item.network_id,
            intervention_at=moment,
            intervention_tz=item.intervention_tz,
            intervention_delay_minutes=item.intervention_delay_minutes,
            days=item.days,
            visits_per_day=item.visits_per_day,
            response_delay_minutes=item.response_delay_minutes,
            comment=item.comment,
        )
        planned.append((prescription, plan_round(session, prescription, patient, now)))
    prescriptions = [p for p, _ in planned]
    _insert_together(session, prescriptions)
    for prescription, usual in planned:
        notify_round(session, prescription, patient, usual, now)
    session.flush()
    answer = CaseCreated(
        case_id=case_id,
        number=number,
        prescriptions=[
            PrescriptionSent(
                id=p.id,
                state=PrescriptionState(p.state),
                profession_code=p.profession_code,
                profession=PROFESSIONS[p.profession_code],
                care_type=p.care_type,
                notified_count=p.notified_count,
                deadline_at=p.deadline_at,
                priority_until=p.priority_until,
            )
            for p in prescriptions
        ],
    )
    if idempotency_key is not None:
        session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == idempotency_key)
            .values(status_code=201, response=answer.model_dump(mode="json"))
            .execution_options(synchronize_session=False)
        )
    by = principal
    summary = ", ".join(f"{PROFESSIONS[p.profession_code]} — {p.care_type}" for p in prescriptions)
    # Events last (see server/services/feed.py): the patient's timeline line, then one per prescription.
    add_event(
        session,
        patient,
        now,
        PatientCase,
        f"Déclenchement #{number} par {by.display_name} : {summary}",
        by,
        case_id=case_id,
    )
    for p in prescriptions:
        sent = FeedSent(
            round=1,
            state=p.state,
            notified_count=p.notified_count,
            priority_until=p.priority_until,
            deadline_at=p.deadline_at,
        )
        feed.append_prescription_event(session, p, sent, now)
    return answer


def send(acting: Acting, body: CaseCreate, idempotency_key: str | None) -> tuple[CaseCreated, bool]:
    """`POST /cases`: the answer, and whether it is the replay of an earlier one with this key."""
    idempotency_key = checked_key(idempotency_key, "fiche")
    try:
        with acting.transaction("case_create") as tx:
            tx.patient_id = body.patient_id
            created = create_case(tx.session, body, acting.principal, acting.now, idempotency_key)
            acting.audit(
                tx.session, "case_create", patient_id=body.patient_id, status=201, case_id=created.case_id
            )
            return created, False
    except IntegrityError:
        # The key was used before, or by a concurrent request that committed first (the key is
        # inserted first: the concurrent one waited on its row).
        if idempotency_key is None:
            raise
        with acting.db.session() as session:
            earlier = replay(session, idempotency_key, acting.principal, body)
        if earlier is None:
            raise
        return earlier, True
