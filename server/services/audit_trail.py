"""Reading the audit trail: filtered by actor, patient, action and period (days in the case's zone,
Europe/Paris by default), paged by id, and its CSV export for French spreadsheets (`;`, UTF-8 with a
BOM, times in the zone, cells that a spreadsheet would run as a formula quoted). Both reads are
themselves audited (`admin_audit_read`, `admin_audit_export`, with the filters given)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from server.db import Database
from server.models import AuditEntry
from server.services.acting import Acting
from shared.schemas.back_office import AuditFilter
from shared.schemas.system import AuditEntryOut

CSV_BATCH = 1000
CSV_HEADER = (
    "Date",
    "Heure",
    "N°",
    "Utilisateur (id)",
    "Identifiant",
    "Rôle",
    "Action",
    "Patient (id)",
    "Méthode",
    "Chemin",
    "Statut",
    "Adresse IP",
    "Client",
    "Détail",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditPage:
    """Which page: ascending after `after_id` (the API's historical order), or newest first
    before `before_id` (the back office's)."""

    after_id: int = 0
    before_id: int | None = None
    newest_first: bool = False
    limit: int = 200


def day_start(day: date, tz: str) -> datetime:
    """Midnight of `day` in `tz`, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def filtered(wanted: AuditFilter, tz: str) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if wanted.user_id is not None:
        query = query.where(AuditEntry.user_id == wanted.user_id)
    if wanted.username is not None:
        query = query.where(AuditEntry.username == wanted.username)
    if wanted.patient_id is not None:
        query = query.where(AuditEntry.patient_id == wanted.patient_id)
    if wanted.action is not None:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= day_start(wanted.since, tz))
    if wanted.until is not None:
        query = query.where(AuditEntry.at < day_start(wanted.until + timedelta(days=1), tz))
    return query


def read(
    acting: Acting, wanted: AuditFilter, page: AuditPage, tz: str = "Europe/Paris"
) -> list[AuditEntryOut]:
    query = filtered(wanted, tz).where(AuditEntry.id > page.after_id)
    if page.before_id is not None:
        query = query.where(AuditEntry.id < page.before_id)
    order = AuditEntry.id.desc() if page.newest_first else AuditEntry.id
    with acting.transaction("admin_audit_read") as tx:
        rows = [
            AuditEntryOut.model_validate(e, from_attributes=True)
            for e in tx.session.scalars(query.order_by(order).limit(page.limit))
        ]
        # Written after the read: the page never shows its own entry.
        acting.audit(tx.session, "admin_audit_read", filters=wanted.described(), count=len(rows))
        return rows


def record_export(acting: Acting, wanted: AuditFilter) -> None:
    """The export's own entry, committed before the first line is sent."""
    with acting.transaction("admin_audit_export") as tx:
        acting.audit(tx.session, "admin_audit_export", filters=wanted.described())


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _line(row: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow([_cell(v) for v in row])
    return out.getvalue()


def csv_lines(db: Database, wanted: AuditFilter, tz: str = "Europe/Paris") -> Iterator[str]:
    """The export, oldest first, read in batches (one short transaction each) as it is sent; the
    first line starts with the BOM. Entries written while it runs are left out (bounded by the
    last id at the start)."""
    zone = ZoneInfo(tz)
    yield "\ufeff" + _line(list(CSV_HEADER))
    with db.session() as session:
        last = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
    after = 0
    while True:
        query = filtered(wanted, tz).where(AuditEntry.id > after, AuditEntry.id <= last)
        with db.session() as session:
            batch = list(session.scalars(query.order_by(AuditEntry.id).limit(CSV_BATCH)))
            lines = [_entry_line(e, zone) for e in batch]
        if not batch:
            return
        yield "".join(lines)
        after = batch[-1].id


def _entry_line(entry: AuditEntry, zone: ZoneInfo) -> str:
    local = entry.at.astimezone(zone)
    detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""
    return _line(
        [
            f"{local:%d/%m/%Y}",
            f"{local:%H:%M:%S}",
            entry.id,
            entry.user_id,
            entry.username,
            entry.role,
            entry.action,
            entry.patient_id,
            entry.method,
            entry.path,
            entry.status,
            entry.client_ip,
            entry.client_agent,
            detail,
        ]
    )


def csv_name(wanted: AuditFilter, now: datetime, tz: str = "Europe/Paris") -> str:
    today = now.astimezone(ZoneInfo(tz)).date()
    since = wanted.since.isoformat() if wanted.since else "debut"
    until = (wanted.until or today).isoformat()
    return f"journal-audit-{since}-{until}.csv"
