"""Statistics for supervisors: calls per hour, prescriptions by state and by profession, time to
acceptance, acceptance rate, share expired — over a period, within the caller's board scope.

Prescriptions are counted by `sent_at` (the current round's); the time to acceptance is from
that round's sending to its acceptance. Calls follow the call log's visibility (supervisors see
every call). Nothing here names a patient; the CSV export carries case numbers, not identities.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import CallRecord, Case, Prescription
from server.security.principal import Principal
from server.services.board import Scope, scope_condition
from server.services.spreadsheet_cells import inert_row
from shared.domain import PROFESSIONS, PrescriptionState, Role
from shared.schemas.stats import Acceptance, DelayBucket, HourCount, ProfessionCount, Statistics

BUCKETS_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120)
ACCEPTED = {
    PrescriptionState.ACCEPTED.value,
    PrescriptionState.STARTED.value,
    PrescriptionState.FINISHED.value,
}
CSV_COLUMNS = (
    "fiche", "demande", "tour", "envoyée", "profession", "soins", "type_pec", "état",
    "intervenants_notifiés", "acceptée", "minutes_avant_acceptation",
)  # fmt: skip


def _prescriptions(
    session: Session, by: Principal, scope: Scope, since: datetime, until: datetime
) -> list[tuple[str, Prescription]]:
    query = (
        select(Case.number, Prescription)
        .join(Case, Case.id == Prescription.case_id)
        .where(Prescription.sent_at >= since, Prescription.sent_at < until)
        .order_by(Prescription.sent_at, Prescription.id)
    )
    scoped = scope_condition(by, scope)
    if scoped is not None:
        query = query.where(scoped)
    return [(number, p) for number, p in session.execute(query)]


def _minutes_to_accept(p: Prescription) -> float | None:
    if p.accepted_at is None:
        return None
    return (p.accepted_at - p.sent_at).total_seconds() / 60


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _calls_per_hour(
    session: Session, by: Principal, since: datetime, until: datetime, zone: ZoneInfo
) -> list[HourCount]:
    query = select(CallRecord.started_at, CallRecord.direction, CallRecord.outcome).where(
        CallRecord.started_at >= since, CallRecord.started_at < until
    )
    if by.role != Role.SUPERVISOR:
        query = query.where(CallRecord.operator_id == by.id)
    hours: dict[datetime, Counter[str]] = {}
    for started, direction, outcome in session.execute(query):
        hour = started.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        counts = hours.setdefault(hour, Counter())
        counts[direction] += 1
        counts["missed"] += outcome == "missed"
    return [
        HourCount(hour=h, incoming=c["incoming"], missed=c["missed"], outgoing=c["outgoing"])
        for h, c in sorted(hours.items())
    ]


def compute(
    session: Session, by: Principal, scope: Scope, since: datetime, until: datetime, tz: str
) -> Statistics:
    rows = [p for _, p in _prescriptions(session, by, scope, since, until)]
    states = Counter(p.state for p in rows)
    professions = Counter(p.profession_code for p in rows)
    delays = [m for m in map(_minutes_to_accept, rows) if m is not None]
    accepted = sum(states[s] for s in ACCEPTED)
    expired, cancelled = states[PrescriptionState.EXPIRED.value], states[PrescriptionState.CANCELLED.value]
    buckets, previous = [], float("-inf")
    for limit in BUCKETS_MINUTES:
        buckets.append(DelayBucket(up_to_minutes=limit, count=sum(previous < d <= limit for d in delays)))
        previous = limit
    buckets.append(DelayBucket(up_to_minutes=None, count=sum(d > BUCKETS_MINUTES[-1] for d in delays)))
    return Statistics(
        since=since,
        until=until,
        calls_per_hour=_calls_per_hour(session, by, since, until, ZoneInfo(tz)),
        prescriptions_by_state={s.value: states[s.value] for s in PrescriptionState},
        prescriptions_by_profession=[
            ProfessionCount(profession_code=code, profession=PROFESSIONS.get(code, code), count=n)
            for code, n in professions.most_common()
        ],
        acceptance=Acceptance(
            sent=len(rows),
            accepted=accepted,
            rate=_ratio(accepted, accepted + expired + cancelled),
            expired=expired,
            expired_share=_ratio(expired, len(rows)),
            cancelled=cancelled,
            pending=states[PrescriptionState.PENDING.value],
        ),
        minutes_to_acceptance=buckets,
        median_minutes_to_acceptance=round(statistics.median(delays), 2) if delays else None,
    )


def csv_export(session: Session, by: Principal, scope: Scope, since: datetime, until: datetime) -> str:
    """One line per prescription (no patient identity), `;`-separated as French spreadsheets expect."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for number, p in _prescriptions(session, by, scope, since, until):
        minutes = _minutes_to_accept(p)
        writer.writerow(
            inert_row((
                number, p.id, p.round, p.sent_at.isoformat(), PROFESSIONS.get(p.profession_code, ""),
                p.care_type, p.care_mode, p.state, p.notified_count,
                p.accepted_at.isoformat() if p.accepted_at else "",
                f"{minutes:.1f}".replace(".", ",") if minutes is not None else "",
            ))  # a care type typed as « =HYPERLINK(…) » stays text
        )  # fmt: skip
    return out.getvalue()


def default_period(now: datetime) -> tuple[datetime, datetime]:
    """The board's default: the last 14 days."""
    return now - timedelta(days=14), now + timedelta(seconds=1)
