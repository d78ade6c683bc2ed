"""Turning patient rows into API shapes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Patient, ProfessionalProfile
from server.services.identity_vigilance import evidence_out
from shared.domain import PROFESSIONS, IdentityStatus, InsuranceScheme, Sex
from shared.schemas.patients import PatientOut, TrustedPerson, UsualProfessionalOut


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def registered_by_rpps(session: Session, rpps: list[str]) -> dict[str, ProfessionalProfile]:
    if not rpps:
        return {}
    rows = session.scalars(select(ProfessionalProfile).where(ProfessionalProfile.rpps.in_(set(rpps))))
    return {p.rpps: p for p in rows}


def usual_professionals_out(session: Session, patient: Patient) -> list[UsualProfessionalOut]:
    registered = registered_by_rpps(session, [u.rpps for u in patient.usual_professionals])
    items = []
    for usual in patient.usual_professionals:
        profile = registered.get(usual.rpps)
        items.append(
            UsualProfessionalOut(
                profession_code=usual.profession_code,
                profession=PROFESSIONS[usual.profession_code],
                rpps=usual.rpps,
                last_name=usual.last_name or (profile.last_name if profile else None),
                first_name=usual.first_name or (profile.first_name if profile else None),
                registered=profile is not None,
                user_id=profile.user_id if profile else None,
            )
        )
    return items


def patient_out(session: Session, patient: Patient, today: date) -> PatientOut:
    return PatientOut(
        id=patient.id,
        version=patient.version,
        last_name=patient.last_name,
        first_name=patient.first_name,
        birth_last_name=patient.birth_last_name,
        birth_first_names=patient.birth_first_names,
        sex=Sex(patient.sex),
        birth_date=patient.birth_date,
        age=age_on(patient.birth_date, today),
        birth_place_insee=patient.birth_place_insee,
        nir=patient.nir,
        ins_oid=patient.ins_oid,
        identity_status=IdentityStatus(patient.identity_status),
        occupation=patient.occupation,
        insurance_scheme=InsuranceScheme(patient.insurance_scheme) if patient.insurance_scheme else None,
        phone=patient.phone,
        phone2=patient.phone2,
        email=patient.email,
        address_line=patient.address_line,
        address_complement=patient.address_complement,
        building=patient.building,
        staircase=patient.staircase,
        floor=patient.floor,
        digicode=patient.digicode,
        intercom=patient.intercom,
        door=patient.door,
        postal_code=patient.postal_code,
        city=patient.city,
        commune_insee=patient.commune_insee,
        latitude=patient.latitude,
        longitude=patient.longitude,
        advance_directives=patient.advance_directives,
        trusted_persons=[TrustedPerson.model_validate(p) for p in patient.trusted_persons or []],
        identity_evidence=evidence_out(patient.identity_evidence),
        usual_professionals=usual_professionals_out(session, patient),
        created_at=patient.created_at,
        updated_at=patient.updated_at,
    )
