"""Creating and changing patients; every change leaves a timeline line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from server.errors import Conflict, Forbidden, Invalid, not_found
from server.geo.placing import fill_from_commune, moved_commune
from server.models import Patient, PatientEvent, User, UsualProfessional
from server.security.principal import STAFF, Principal
from server.services import feed, practices
from server.services.dispatch import withdraw_usual
from server.services.identity_vigilance import settle_evidence
from server.services.patient_search import Traits, likely_duplicates
from server.services.patient_views import registered_by_rpps
from server.services.ties import in_care
from shared.domain import PROFESSIONS, Role
from shared.schemas.feed import (
    PatientCase,
    PatientChange,
    PatientComment,
    PatientCreated,
    PatientDocument,
    PatientReport,
    PatientSeriesEnded,
    PatientUpdated,
    PatientUsualProfessionals,
    PatientVisit,
)
from shared.schemas.labels import FIELD_LABELS
from shared.schemas.patients import (
    CARE_RECORD_FIELDS,
    EVIDENCE_FIELDS,
    PatientCreate,
    PatientFields,
    PatientPatch,
    UsualProfessionalIn,
    check_identity,
)
from shared.validation import ValidationFailure, default_oid_for, name_compact_key, parse_nir

MAX_USUAL_PROFESSIONALS = 20
# The patient's timeline kind (patient_events.kind, shown and read by the desktop) of each change.
TIMELINE_KINDS: dict[type[PatientChange], str] = {
    PatientCreated: "created",
    PatientUpdated: "updated",
    PatientUsualProfessionals: "usual_professionals",
    PatientCase: "case",
    PatientComment: "comment",
    PatientDocument: "document",
    PatientVisit: "visit",
    PatientReport: "report",
    PatientSeriesEnded: "series_ended",
}
NOT_IN_CARE = "Réservé à la centrale et à l'intervenant qui a débuté les soins de ce patient"


def _search_keys(values: dict[str, Any]) -> dict[str, Any]:
    birth = values.get("birth_last_name")
    return {
        "last_name_key": name_compact_key(values["last_name"]),
        "first_name_key": name_compact_key(values["first_name"]),
        "birth_last_name_key": name_compact_key(birth) if birth else None,
    }


def _fill_ins_oid(values: dict[str, Any]) -> None:
    if values.get("nir") and not values.get("ins_oid"):
        values["ins_oid"] = default_oid_for(parse_nir(values["nir"])).value
    if not values.get("nir"):
        values["ins_oid"] = None


def _nir_owner(session: Session, nir: str | None, exclude_id: int | None = None) -> int | None:
    if not nir:
        return None
    owner = session.scalar(select(Patient.id).where(Patient.nir == nir))
    return owner if owner != exclude_id else None


def add_event(
    session: Session,
    patient: Patient,
    now: datetime,
    change: type[PatientChange],
    label: str,
    by: Principal | None,
    **data: Any,
) -> None:
    """A timeline line for the patient, and the matching change-feed event (ids only, no identity)."""
    kind = TIMELINE_KINDS[change]
    session.execute(
        insert(PatientEvent).values(
            patient_id=patient.id, at=now, kind=kind, label=label, user_id=by.id if by else None, data=data
        )
    )
    feed.append_event(session, change(patient_id=patient.id, version=patient.version), now)


def _may_name(session: Session, by: Principal, patient_id: int) -> bool:
    """Whether `by` may learn which patient this is: the hotline, and a practice secretary for her
    practice's patients only (server/services/practices.py); never a professional."""
    if by.role == Role.SECRETARY:
        return practices.sees_patient(session, by.id, patient_id)
    return by.role in STAFF


def _nir_taken(session: Session, owner: int, by: Principal) -> Conflict:
    """Who may read that patient learns which one holds the NIR; anyone else (a professional, a
    secretary outside her practice) only that it is taken — the hotline can send for them."""
    if _may_name(session, by, owner):
        return Conflict("nir_exists", "Un patient avec ce NIR existe déjà", patient_id=owner)
    if by.role == Role.SECRETARY:
        return Conflict("nir_exists", "Un patient avec ce NIR existe déjà : appelez la centrale")
    return Conflict("nir_exists", "Un patient avec ce NIR existe déjà : la centrale peut déclencher pour lui")


def create_patient(session: Session, body: PatientCreate, by: Principal, now: datetime) -> Patient:
    """Staff and professionals (the same checks); a professional is then the file's creator, who may
    read it and send for the patient (server/services/ties.py)."""
    values = body.model_dump(exclude={"acknowledge_duplicates", *EVIDENCE_FIELDS})
    values["trusted_persons"] = values.get("trusted_persons") or []
    fill_from_commune(values)
    owner = _nir_owner(session, values.get("nir"))
    if owner is not None:
        raise _nir_taken(session, owner, by)
    if not body.acknowledge_duplicates:
        traits = Traits(body.phone, body.last_name, body.first_name, body.birth_date, body.nir)
        hints = likely_duplicates(session, traits)
        if body.phone2:
            hints += likely_duplicates(session, Traits(phone=body.phone2))
        if hints:
            # Who may read a candidate may look it up; anyone else learns the reasons only.
            named = {h.id for h in hints if _may_name(session, by, h.id)}
            shown = [h.model_dump() if h.id in named else {"reasons": h.reasons} for h in hints]
            raise Conflict(
                "possible_duplicates",
                "Ce patient ressemble à un patient déjà enregistré : vérifiez avant de le créer",
                duplicates=shown,
            )
    _fill_ins_oid(values)
    values["identity_evidence"] = settle_evidence(
        session, values, {}, set(), body.identity_document, body.insi_reference, by, now
    )
    patient = Patient(**values, **_search_keys(values), created_at=now, updated_at=now, created_by=by.id)
    try:
        # A savepoint: the same NIR created concurrently (PostgreSQL) is a 409, not a 500.
        with session.begin_nested():
            session.add(patient)
            session.flush()
    except IntegrityError:
        owner = _nir_owner(session, values.get("nir"))
        if owner is None:
            raise
        raise _nir_taken(session, owner, by) from None
    add_event(session, patient, now, PatientCreated, f"Fiche créée par {by.display_name}", by)
    return patient


def get_patient(session: Session, patient_id: int, *, for_update: bool = False) -> Patient:
    patient = session.get(Patient, patient_id, with_for_update=for_update)
    if patient is None:
        raise not_found("Patient")
    return patient


def require_care_writer(session: Session, patient: Patient, by: Principal) -> None:
    """Staff, or the acceptor of one of the patient's begun prescriptions (until the end of the series);
    a practice secretary only for her practice's patients (server/services/practices.py)."""
    if by.role == Role.SECRETARY and not practices.sees_patient(session, by.id, patient.id):
        raise Forbidden("forbidden", "Vous n'intervenez pas auprès de ce patient")
    if by.role in STAFF:
        return
    if by.role != Role.PROFESSIONAL or not in_care(session, patient.id, by.id):
        raise Forbidden("not_in_care", NOT_IN_CARE)


def update_patient(
    session: Session, patient_id: int, body: PatientPatch, by: Principal, now: datetime
) -> Patient:
    """Staff change any field; the acceptor in care only the care record (advance directives,
    trusted persons) — anything else is the hotline's identity vigilance."""
    patient = get_patient(session, patient_id, for_update=True)
    require_care_writer(session, patient, by)
    if by.role not in STAFF and set(body.changes()) - set(CARE_RECORD_FIELDS):
        raise Forbidden(
            "identity_reserved",
            "Seules les directives anticipées et les personnes de confiance sont modifiables ici : "
            "l'identité et les coordonnées du patient sont tenues par la centrale",
        )
    if body.version != patient.version:
        raise Conflict(
            "stale_version",
            "La fiche a été modifiée entre-temps : rechargez-la avant d'enregistrer",
            current_version=patient.version,
        )
    changes = {k: v for k, v in body.changes().items() if getattr(patient, k) != v}
    moved_commune(changes)
    if not changes and body.identity_document is None and body.insi_reference is None:
        return patient
    merged = {name: getattr(patient, name) for name in PatientFields.model_fields}
    merged.update(changes)
    try:
        check_identity(merged)
    except ValidationFailure as failure:
        raise Invalid.of(failure) from failure
    if "nir" in changes:
        owner = _nir_owner(session, merged.get("nir"), exclude_id=patient.id)
        if owner is not None:
            raise _nir_taken(session, owner, by)
        if "ins_oid" not in changes:
            merged["ins_oid"] = None
        _fill_ins_oid(merged)
        changes["ins_oid"] = merged["ins_oid"]
    evidence = settle_evidence(
        session, merged, patient.identity_evidence or {}, set(changes), body.identity_document,
        body.insi_reference, by, now,
    )  # fmt: skip
    if evidence != (patient.identity_evidence or {}):
        changes["identity_evidence"] = evidence
    for name, value in {**changes, **_search_keys(merged)}.items():
        setattr(patient, name, value)
    patient.updated_at = now
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        raise Conflict("conflict", "Modification concurrente : rechargez la fiche") from exc
    labels = sorted({FIELD_LABELS.get(name, name) for name in changes if name in FIELD_LABELS})
    add_event(
        session,
        patient,
        now,
        PatientUpdated,
        f"Fiche modifiée par {by.display_name} : {', '.join(labels)}",
        by,
        fields=sorted(changes),
    )
    return patient


def set_usual_professionals(
    session: Session, patient_id: int, items: list[UsualProfessionalIn], by: Principal, now: datetime
) -> Patient:
    """Replace the list (staff, or the acceptor in care: « médecin traitant modifiable si
    l'intervention est débutée »). Those removed lose their usual professional's offers at once."""
    if len(items) > MAX_USUAL_PROFESSIONALS:
        raise Invalid("too_many", f"{MAX_USUAL_PROFESSIONALS} professionnels habituels au plus")
    patient = get_patient(session, patient_id, for_update=True)
    require_care_writer(session, patient, by)
    before = {u.rpps for u in patient.usual_professionals}
    unique = {(i.profession_code, i.rpps): i for i in items}
    registered = registered_by_rpps(session, [i.rpps for i in unique.values()])
    for item in unique.values():
        profile = registered.get(item.rpps)
        if profile is not None and profile.profession_code != item.profession_code:
            raise Invalid(
                "profession_mismatch",
                f"Le RPPS {item.rpps} est enregistré comme {PROFESSIONS[profile.profession_code]}, "
                f"pas comme {PROFESSIONS[item.profession_code]}",
            )
    # Delete the old rows first: the unit of work inserts before it deletes, so an entry kept
    # from the old list would break the (patient, profession, rpps) unique constraint.
    patient.usual_professionals = []
    session.flush()
    patient.usual_professionals = [
        UsualProfessional(
            profession_code=i.profession_code, rpps=i.rpps, last_name=i.last_name, first_name=i.first_name
        )
        for i in unique.values()
    ]
    patient.updated_at = now
    session.flush()
    removed = before - {i.rpps for i in unique.values()}
    if removed:
        gone = registered_by_rpps(session, sorted(removed))
        withdraw_usual(session, patient.id, {p.user_id for p in gone.values()}, now)
    described = [f"{PROFESSIONS[i.profession_code]} {i.rpps}" for i in unique.values()] or ["aucun"]
    add_event(
        session,
        patient,
        now,
        PatientUsualProfessionals,
        f"Professionnels habituels modifiés par {by.display_name} : {', '.join(described)}",
        by,
        rpps=[i.rpps for i in unique.values()],
    )
    return patient


def timeline(session: Session, patient_id: int) -> list[PatientEvent]:
    query = select(PatientEvent).where(PatientEvent.patient_id == patient_id)
    return list(session.scalars(query.order_by(PatientEvent.at.desc(), PatientEvent.id.desc())))


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))}
