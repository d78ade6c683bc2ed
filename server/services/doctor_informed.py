"""The médecin traitant is informed (seeds 001, FAQ « Médecin traitant »; seeds 002: « Pensez à
renseigner le médecin traitant pour qu'il soit informé de toutes les prises en charge du patient »).

**Who.** The médecin traitant is the usual professional of the patient in the « Médecin traitant »
slot (profession 10, shared.domain.USUAL_PROFESSIONAL_SLOTS), recorded by RPPS whether or not they
are registered here. Registered means: an active professional account with that RPPS.

**When.** A prescription of their patient is accepted (answers.accept), and a CR is written
(care: every report, `finish`'s included). Not when the doctor is the one who acts.

**How.**
- Registered: the patient and the CR are already in their « Patients en Coordination »
  (my_cases: the patients whose usual professional I am, seen in full). They get a notification
  row on the channels of their profile — push (each live subscription), SMS, e-mail — that names
  nobody (push, SMS and ordinary e-mail are not secure health channels); with no channel, a
  row « suppressed » says why, for the supervisors' delivery log.
- Not registered: an e-mail to their personal MSSanté address (the national directory's MSSanté
  extraction, server/directory/mssante_importer.py) through the deployment's MSSanté operator
  relay. What it says, and no more (the FAQ: « un mail lui indiquant qu'une prise en charge est
  effectuée autour de ce patient »): the patient's identity — last name, first name, birth name if
  different, birth date: what identitovigilance needs to recognise the patient, and what the
  médecin traitant is entitled to —, that a prise en charge takes place (or that a bilan was
  written), the date (Europe/Paris), and the platform's contact. Never the care, the profession,
  the acceptor, the address, the NIR, nor the CR's text: those are read on the platform by the
  professionals who may. No MSSanté address: nothing is sent, and the audit entry says so.
Each message is queued once (`dedup_key` per prescription, round or report, and doctor), in the
caller's transaction, sent after its commit (server/notify/outbound.py). Every outcome is an audit
entry `doctor_informed` on the patient, written by the platform itself (no user), with the user
whose act triggered it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.directory.mssante_importer import current_mssante_generation
from server.errors import Invalid
from server.models import (
    MssanteAddress,
    Patient,
    Prescription,
    ProfessionalProfile,
    PushSubscription,
    User,
)
from server.notify.outbound import queue_delivery, queue_email, queue_sms
from server.security.audit import Origin, record_audit
from server.security.principal import Principal
from shared.domain import Role

DOCTOR = "10"  # the « Médecin traitant » slot of the usual professionals
PURPOSE = "doctor_informed"
PARIS = ZoneInfo("Europe/Paris")
SYSTEM = "centrale"  # the audit trail's username for what the platform does by itself
Event = Literal["accepted", "report"]
NO_CHANNEL = "aucun canal de notification actif dans le profil"


@dataclass(frozen=True)
class PlatformContact:
    """How the mail names the platform and how to reach it (the deployment's environment)."""

    name: str = "Centrale"
    phone: str | None = None
    url: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> PlatformContact:
        env = os.environ if environ is None else environ
        return cls(
            name=env.get("CENTRALE_PLATFORM_NAME", "").strip() or "Centrale",
            phone=env.get("CENTRALE_PLATFORM_PHONE", "").strip() or None,
            url=env.get("CENTRALE_PUBLIC_URL", "").strip().rstrip("/") or None,
        )


@dataclass(frozen=True)
class AttendingDoctor:
    rpps: str
    last_name: str | None
    user: User | None  # their account here, when registered and active


def attending_doctors(session: Session, patient: Patient) -> list[AttendingDoctor]:
    """The patient's médecin(s) traitant(s), each with their account here if they have one."""
    slots = [u for u in patient.usual_professionals if u.profession_code == DOCTOR]
    if not slots:
        return []
    accounts = {
        profile.rpps: user
        for profile, user in session.execute(
            select(ProfessionalProfile, User)
            .join(User, User.id == ProfessionalProfile.user_id)
            .where(
                ProfessionalProfile.rpps.in_([u.rpps for u in slots]),
                User.active.is_(True),
                User.role == Role.PROFESSIONAL.value,
            )
        ).all()
    }
    return [AttendingDoctor(u.rpps, u.last_name, accounts.get(u.rpps)) for u in slots]


def mssante_address(session: Session, rpps: str) -> str | None:
    """The person's personal MSSanté box in the current import: one they asked documents to be
    sent to (« Dématérialisation ») first, else the first in the file."""
    generation = current_mssante_generation(session)
    if generation is None:
        return None
    return session.scalar(
        select(MssanteAddress.address)
        .where(MssanteAddress.generation == generation, MssanteAddress.rpps == rpps)
        .order_by(MssanteAddress.dematerialised.desc(), MssanteAddress.seq)
        .limit(1)
    )


def _identity(patient: Patient) -> str:
    born = "née" if patient.sex == "F" else "né" if patient.sex == "M" else "né(e)"
    name = f"{patient.last_name.upper()} {patient.first_name}"
    if patient.birth_last_name and patient.birth_last_name.upper() != patient.last_name.upper():
        name += f" ({born} {patient.birth_last_name.upper()})"
    return f"{name}, {born} le {patient.birth_date:%d/%m/%Y}"


def mail_text(
    patient: Patient, event: Event, doctor_name: str | None, now: datetime, platform: PlatformContact
) -> tuple[str, str]:
    """(subject, text) of the MSSanté mail: the patient's identity and the fact, nothing of the care."""
    subject = f"{platform.name} : prise en charge d'un de vos patients"
    day = now.astimezone(PARIS).strftime("%d/%m/%Y")
    fact = (
        f"Une prise en charge est effectuée autour de ce patient depuis le {day}, coordonnée par "
        f"{platform.name}."
        if event == "accepted"
        else f"Un bilan a été rédigé le {day} dans le cadre de la prise en charge de ce patient "
        f"coordonnée par {platform.name}."
    )
    contact = [f"Pour en savoir plus, contactez {platform.name}"]
    if platform.phone:
        contact.append(f" au {platform.phone}")
    contact.append(".")
    lines = [
        f"Bonjour Docteur {doctor_name.upper()}," if doctor_name else "Bonjour Docteur,",
        "",
        "Vous êtes renseigné(e) comme médecin traitant de :",
        f"    {_identity(patient)}",
        "",
        fact,
        "",
        "Seuls les professionnels de santé intervenant auprès du patient et inscrits sur la "
        "plateforme peuvent en consulter le détail. " + "".join(contact),
    ]
    if platform.url:
        lines.append(f"Inscription des professionnels de santé : {platform.url}/pro/")
    lines += [
        "",
        "Message envoyé automatiquement par messagerie sécurisée de santé (MSSanté) ; merci de ne "
        "pas y répondre.",
    ]
    return subject, "\n".join(lines) + "\n"


def notice_text(event: Event, platform: PlatformContact) -> str:
    """What a registered médecin traitant receives (push, SMS, e-mail): no name, a pointer."""
    what = (
        "Un de vos patients est pris en charge"
        if event == "accepted"
        else "Nouveau bilan pour un de vos patients"
    )
    return f"{platform.name} : {what}. Consultez « Patients en Coordination »."


def _append_queued(ids: list[int], queue: Callable[[], int]) -> None:
    """A notice on one channel; a phone or address the channel refuses leaves it out (the others,
    or the « suppressed » row, still say the doctor was meant to be told)."""
    try:
        ids.append(queue())
    except Invalid:
        return


def _notify_registered(
    session: Session, user: User, prescription: Prescription, event: Event, key: str, now: datetime
) -> list[int]:
    platform = PlatformContact.from_env()
    text = notice_text(event, platform)
    profile = user.professional
    channels: dict[str, Any] = dict(profile.channels or {}) if profile is not None else {}
    ids: list[int] = []
    if channels.get("push", True):
        url = f"/pro/coordination/{prescription.id}"
        for sub in session.scalars(
            select(PushSubscription).where(
                PushSubscription.user_id == user.id, PushSubscription.gone_at.is_(None)
            )
        ):
            payload = {"title": platform.name, "body": text, "url": url}
            ids.append(
                queue_delivery(
                    session,
                    channel="push",
                    recipient=str(sub.id),
                    text=text,
                    payload=payload,
                    purpose=PURPOSE,
                    dedup_key=f"{key}:push:{sub.id}",
                    now=now,
                    user_id=user.id,
                )
            )
    phone = user.phone or (profile.phone if profile is not None else None)
    if channels.get("sms") and phone:
        _append_queued(
            ids,
            lambda: queue_sms(
                session,
                to=phone,
                text=text,
                purpose=PURPOSE,
                dedup_key=f"{key}:sms",
                now=now,
                user_id=user.id,
            ),
        )
    if channels.get("email") and user.email:
        email = user.email
        _append_queued(
            ids,
            lambda: queue_email(
                session,
                to=email,
                subject=f"{platform.name} : Patients en Coordination",
                text=text + "\n",
                purpose=PURPOSE,
                dedup_key=f"{key}:email",
                now=now,
                user_id=user.id,
            ),
        )
    if not ids:
        ids.append(
            queue_delivery(
                session,
                channel="push",
                recipient=f"user:{user.id}",
                text=text,
                purpose=PURPOSE,
                dedup_key=f"{key}:none",
                now=now,
                user_id=user.id,
                suppressed_because=NO_CHANNEL,
            )
        )
    return ids


def _inform(
    session: Session, prescription: Prescription, event: Event, key: str, by: Principal, now: datetime
) -> None:
    patient = session.get(Patient, prescription.case.patient_id)
    assert patient is not None
    for doctor in attending_doctors(session, patient):
        if by.rpps is not None and doctor.rpps == by.rpps:
            continue  # the doctor is the one acting: they know
        dedup_key = f"doctor-informed:{prescription.id}:{key}:{doctor.rpps}"
        detail: dict[str, Any] = {"prescription_id": prescription.id, "event": event, "rpps": doctor.rpps}
        if doctor.user is not None:
            ids = _notify_registered(session, doctor.user, prescription, event, dedup_key, now)
            detail |= {"channel": "coordination", "user": doctor.user.id, "deliveries": ids}
        elif (address := mssante_address(session, doctor.rpps)) is not None:
            subject, text = mail_text(patient, event, doctor.last_name, now, PlatformContact.from_env())
            try:
                delivery = queue_email(
                    session,
                    to=address,
                    subject=subject,
                    text=text,
                    purpose=PURPOSE,
                    dedup_key=dedup_key,
                    now=now,
                    relay="mssante",
                )
            except Invalid as refused:  # never blocks the acceptance or the CR: said in the audit
                detail |= {"channel": "none", "address": address, "reason": refused.message}
            else:
                detail |= {"channel": "mssante", "address": address, "deliveries": [delivery]}
        else:
            detail |= {"channel": "none", "reason": "médecin traitant non inscrit et sans adresse MSSanté"}
        origin = Origin("AUTO", f"doctor_informed/{event}", None, None)
        record_audit(
            session,
            now,
            origin,
            None,
            PURPOSE,
            patient_id=patient.id,
            username=SYSTEM,
            triggered_by=by.id,
            **detail,
        )


def inform_on_acceptance(session: Session, prescription: Prescription, by: Principal, now: datetime) -> None:
    """A prescription of the patient was accepted (in the accepting transaction)."""
    _inform(session, prescription, "accepted", f"accepted:{prescription.round}", by, now)


def inform_on_report(
    session: Session, prescription: Prescription, report_id: int, by: Principal, now: datetime
) -> None:
    """A CR was written on a prescription of the patient (in the writing transaction)."""
    _inform(session, prescription, "report", f"report:{report_id}", by, now)
