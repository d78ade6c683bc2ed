"""« Fiches patients » (the active list of the seeds' « file active patientèle ») and the patient
page: what a keyword searches, the last events per patient, the identity and address lines.

The active list is the patients of the board's period (the server's board filtered by the
keyword: patient name, care, comment, case number), plus the patients the keyword finds in the
patient search (name, phone, birth date or NIR) — those show their own timeline's last lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from desktop.state.form_errors import parse_date
from desktop.state.prescription_timeline import local_time, ordinal
from desktop.state.times import PLATFORM_ZONE, date_time, zone_named, zone_of_commune
from shared.domain import PrescriptionState
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.patients import PatientMatch, PatientOut, TimelineEntry
from shared.validation import (
    ValidationFailure,
    format_phone_national,
    name_compact_key,
    normalize_phone,
    parse_nir,
)

ACTIVE_PERIOD = timedelta(days=14)  # « 14 derniers jours », the board's default period
EVENTS_SHOWN = 3


@dataclass(frozen=True)
class FileEvent:
    at: datetime
    label: str
    prescription_id: int | None = None
    zone: tzinfo = PLATFORM_ZONE  # its case's (overseas), else the platform's


@dataclass
class PatientFileRow:
    patient_id: int
    name: str
    details: str
    events: list[FileEvent] = field(default_factory=list)

    @property
    def last_at(self) -> datetime | None:
        return self.events[0].at if self.events else None

    def event_lines(self, limit: int = EVENTS_SHOWN) -> list[str]:
        return [f"{date_time(e.at, e.zone)}  {e.label}" for e in self.events[:limit]]


def search_criteria(keyword: str) -> dict[str, str] | None:
    """The patient search a keyword means: a birth date, a NIR, a phone, else « NOM [Prénom] »;
    ``None`` when it is no patient search (too short, a case number: the board's keyword still
    applies)."""
    text = keyword.strip().lstrip("#")
    if not text:
        return None
    try:
        return {"birth_date": parse_date(text).isoformat()}
    except ValidationFailure:
        pass
    compact = "".join(text.split())
    if len(compact) in (13, 15) and compact[:1].isdigit():
        try:
            return {"nir": parse_nir(compact).value}
        except ValidationFailure:
            pass
    if sum(c.isdigit() for c in text) >= 9:
        try:
            normalize_phone(text)
            return {"phone": text}
        except ValidationFailure:
            return None
    words = text.split()
    if any(c.isdigit() for c in text) or len(name_compact_key(words[0])) < 2:
        return None
    criteria = {"last_name": words[0]}
    if len(words) > 1:
        criteria["first_name"] = " ".join(words[1:])
    return criteria


def prescription_events(view: PrescriptionView) -> list[FileEvent]:
    """What happened to one prescription, as lines of its patient's row."""
    number = f"#{view.case_number}"
    pid, zone = view.id, zone_named(view.intervention_tz)
    sent = f"{ordinal(view.round)} Déclenchement {number} — {view.profession}"
    events = [FileEvent(view.sent_at, sent, pid, zone)]
    if view.accepted_at is not None:
        who = view.accepted_by.name if view.accepted_by else "un intervenant"
        events.append(FileEvent(view.accepted_at, f"acceptation par {who} ({number})", pid, zone))
    if view.started_at is not None:
        events.append(FileEvent(view.started_at, f"intervention débutée ({number})", pid, zone))
    if view.finished_at is not None:
        events.append(FileEvent(view.finished_at, f"intervention terminée ({number})", pid, zone))
    elif view.closed_at is not None and view.state is PrescriptionState.CANCELLED:
        events.append(FileEvent(view.closed_at, f"déclenchement annulé ({number})", pid, zone))
    elif view.state is PrescriptionState.EXPIRED:
        label = f"aucun intervenant ({number})"
        events.append(FileEvent(view.closed_at or view.deadline_at, label, pid, zone))
    return events


def _born(birth: date, age: int, sex: str) -> str:
    return f"{age} ans — {'née' if sex == 'F' else 'né'} le {birth.strftime('%d/%m/%Y')}"


def rows_from_board(views: list[PrescriptionView]) -> list[PatientFileRow]:
    """One row per patient of the board's prescriptions (identities are in the staff's view)."""
    rows: dict[int, PatientFileRow] = {}
    for view in views:
        patient = view.patient
        if patient is None:
            continue  # an anonymised view: never listed by name
        row = rows.get(patient.id)
        if row is None:
            details = (
                f"{_born(patient.birth_date, view.area.age, view.area.sex)} — "
                f"{view.area.postal_code} {view.area.commune}"
            )
            row = rows[patient.id] = PatientFileRow(
                patient.id, f"{patient.last_name.upper()} {patient.first_name}", details
            )
        row.events += prescription_events(view)
    for row in rows.values():
        row.events.sort(key=lambda e: e.at, reverse=True)
    return list(rows.values())


def row_from_match(match: PatientMatch, timeline: list[TimelineEntry]) -> PatientFileRow:
    details = f"{_born(match.birth_date, match.age, match.sex)} — {match.postal_code} {match.city}"
    zone = zone_of_commune(match.postal_code)
    events = [
        FileEvent(entry.at, entry.label, _int(entry.data.get("prescription_id")), zone) for entry in timeline
    ]
    events.sort(key=lambda e: e.at, reverse=True)
    return PatientFileRow(match.id, f"{match.last_name.upper()} {match.first_name}", details, events)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def merge_rows(board_rows: list[PatientFileRow], found_rows: list[PatientFileRow]) -> list[PatientFileRow]:
    """The board's patients and the search's, once each; the most recent activity first."""
    rows = {row.patient_id: row for row in found_rows}
    rows.update({row.patient_id: row for row in board_rows})  # the board's lines are the fresher
    epoch = datetime.min.replace(tzinfo=PLATFORM_ZONE)
    return sorted(rows.values(), key=lambda r: (r.last_at or epoch, r.patient_id), reverse=True)


# ---- the patient page -------------------------------------------------------------------------


def header(patient: PatientOut) -> str:
    """« PICASSO Pablo — 70 ans — né le 09/08/1952 — Masculin »."""
    born = _born(patient.birth_date, patient.age, patient.sex)
    return f"{patient.last_name.upper()} {patient.first_name} — {born} — {patient.sex.label}"


def identity_lines(patient: PatientOut) -> list[tuple[str, str]]:
    lines = [
        ("Nom de naissance", patient.birth_last_name or ""),
        ("Prénoms de naissance", patient.birth_first_names or ""),
        ("Statut de l'identité", patient.identity_status.label),
        ("NIR", patient.nir or ""),
        ("Téléphone", _phone(patient.phone)),
        ("Téléphone 2", _phone(patient.phone2)),
        ("Adresse e-mail", patient.email or ""),
        ("Profession", patient.occupation or ""),
        ("Régime", patient.insurance_scheme.label if patient.insurance_scheme else ""),
    ]
    return [(label, value) for label, value in lines if value]


def address_lines(patient: PatientOut) -> list[tuple[str, str]]:
    lines = [
        ("Adresse", patient.address_line),
        ("Complément", patient.address_complement or ""),
        ("Bâtiment", patient.building or ""),
        ("Escalier", patient.staircase or ""),
        ("Étage", patient.floor or ""),
        ("Digicode", patient.digicode or ""),
        ("Interphone", patient.intercom or ""),
        ("Porte", patient.door or ""),
        ("Commune", f"{patient.postal_code} {patient.city}"),
    ]
    return [(label, value) for label, value in lines if value]


def usual_lines(patient: PatientOut) -> list[str]:
    lines = []
    for usual in patient.usual_professionals:
        name = " ".join(p for p in ((usual.last_name or "").upper(), usual.first_name or "") if p)
        registered = "" if usual.registered else " (non inscrit)"
        lines.append(f"{usual.profession} : {name or 'RPPS'} — RPPS {usual.rpps}{registered}")
    return lines or ["Aucun professionnel habituel renseigné"]


def timeline_lines(
    entries: list[TimelineEntry], tz: tzinfo = PLATFORM_ZONE
) -> list[tuple[str, str, int | None]]:
    """(« 08/08/22 14:11 », label, prescription id or None), newest first as the server gives them."""
    return [(local_time(e.at, tz), e.label, _int(e.data.get("prescription_id"))) for e in entries]


def _phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        return format_phone_national(value)
    except (ValidationFailure, ValueError):
        return value
