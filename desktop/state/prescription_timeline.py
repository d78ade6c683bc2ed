"""What the details of a prescription show: its « Horodatage » (every step, newest first) and the
« ressources déclenchées » (who was notified, when, what they answered).

The server keeps no per-prescription history list; the lines are rebuilt from what it returns:
the prescription (its current round and, for staff, the acceptor's care loop: passages, CR, end of
series), the notifications of every round, comments, documents, incidents, and the patient's
timeline line of the case (« Déclenchement #N par … »).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from desktop.state.times import PLATFORM_ZONE, stamp
from shared.domain import PrescriptionState
from shared.schemas.dispatch import NotificationView, OnBehalf, PrescriptionView
from shared.schemas.exchanges import CommentOut, DocumentOut, IncidentOut
from shared.schemas.patients import TimelineEntry

PARIS = PLATFORM_ZONE  # the default zone of every line (a case's own zone where it has one)
ANSWERS = {
    None: "sans réponse",
    "declined": "a refusé",
    "accepted": "a accepté",
    "taken": "accepté par un autre intervenant",
    "expired": "délai de réponse dépassé",
    "cancelled": "demande annulée",
    "withdrawn": "n'est plus professionnel habituel",
}


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    label: str
    kind: str  # round, answer, state, care, comment, document, incident, case

    def when(self, tz: tzinfo = PLATFORM_ZONE) -> str:
        return local_time(self.at, tz)


@dataclass(frozen=True)
class ResourceLine:
    """One notified responder of one round."""

    round: int
    name: str
    usual: bool
    distance_km: float | None
    notified_at: datetime
    seen_at: datetime | None
    answer: str
    answered_at: datetime | None

    def text(self, tz: tzinfo = PLATFORM_ZONE) -> str:
        parts = [f"{ordinal(self.round)} déclenchement", self.name]
        parts.append("professionnel habituel" if self.usual else self._distance())
        parts.append(f"notifié le {local_time(self.notified_at, tz)}")
        if self.seen_at is not None:
            parts.append(f"vu le {local_time(self.seen_at, tz)}")
        answer = self.answer
        if self.answered_at is not None:
            answer += f" le {local_time(self.answered_at, tz)}"
        parts.append(answer)
        return " — ".join(p for p in parts if p)

    def _distance(self) -> str:
        if self.distance_km is None:
            return ""
        return f"à {self.distance_km:.1f} km".replace(".", ",")


def local_time(at: datetime, tz: tzinfo = PLATFORM_ZONE) -> str:
    """« 08/08/22 14:11 », as the seeds' « Horodatage » column."""
    return stamp(at, tz)


def phone_note(mark: OnBehalf) -> str:
    """« par téléphone via la centrale (Opératrice X) »: an answer the hotline recorded for them."""
    return f"{mark.label} ({mark.by.name})" if mark.by else mark.label


def ordinal(round_: int) -> str:
    return "1er" if round_ == 1 else f"{round_}e"


def resources(notifications: list[NotificationView]) -> list[ResourceLine]:
    """Newest round first, then in the server's order (usual professionals, then the nearest)."""
    lines = [
        ResourceLine(
            round=n.round,
            name=n.name,
            usual=n.usual,
            distance_km=n.distance_km,
            notified_at=n.notified_at,
            seen_at=n.seen_at,
            answer=ANSWERS.get(n.answer, n.answer or ""),
            answered_at=n.answered_at,
        )
        for n in notifications
    ]
    return sorted(lines, key=lambda line: -line.round)


def _round_starts(view: PrescriptionView, notifications: list[NotificationView]) -> dict[int, datetime]:
    starts: dict[int, datetime] = {}
    for n in notifications:
        if n.round not in starts or n.notified_at < starts[n.round]:
            starts[n.round] = n.notified_at
    starts[view.round] = view.sent_at  # the current round's own start
    return starts


def _state_lines(view: PrescriptionView) -> list[TimelineLine]:
    lines = []
    if view.accepted_at is not None:
        who = view.accepted_by.name if view.accepted_by else "un intervenant"
        phoned = f" — {phone_note(view.accepted_on_behalf)}" if view.accepted_on_behalf else ""
        lines.append(TimelineLine(view.accepted_at, f"acceptation par {who}{phoned}", "state"))
    if view.started_at is not None:
        who = view.accepted_by.name if view.accepted_by else "l'intervenant"
        lines.append(TimelineLine(view.started_at, f"démarrée par {who}", "state"))
    if view.finished_at is not None:
        lines.append(TimelineLine(view.finished_at, "intervention terminée", "state"))
        written = view.care is not None and any(r.text == view.report for r in view.care.reports)
        if view.report and not written:  # the closing CR, when the care loop does not list it
            who = view.accepted_by.name if view.accepted_by else "l'intervenant"
            lines.append(TimelineLine(view.finished_at, f"CR de {who} : {view.report}", "care"))
    if view.closed_at is not None and view.state is PrescriptionState.CANCELLED:
        reason = f" — Motif : {view.cancel_reason}" if view.cancel_reason else ""
        label = f"{ordinal(view.round)} déclenchement annulé{reason}"
        lines.append(TimelineLine(view.closed_at, label, "state"))
    if view.state is PrescriptionState.EXPIRED:
        at = view.closed_at or view.deadline_at
        label = f"{ordinal(view.round)} déclenchement : aucun intervenant n'a accepté"
        lines.append(TimelineLine(at, label, "state"))
    return lines


def _care_lines(view: PrescriptionView) -> list[TimelineLine]:
    """The acceptor's care loop: each « passage », each CR (several over a series), the end of series."""
    if view.care is None:
        return []
    lines = []
    for visit in view.care.visits:
        note = f" : {visit.note}" if visit.note else ""
        lines.append(TimelineLine(visit.at, f"{visit.label} par {visit.by.name}{note}", "care"))
    for report in view.care.reports:
        lines.append(TimelineLine(report.at, f"CR de {report.author.name} : {report.text}", "care"))
    if view.care.series_ended_at is not None:
        lines.append(TimelineLine(view.care.series_ended_at, "Fin série de soins", "care"))
    return lines


def _earlier_round_ends(view: PrescriptionView, notifications: list[NotificationView]) -> list[TimelineLine]:
    """How an earlier round ended, as its notifications recorded it (cancelled or expired)."""
    ends: dict[int, TimelineLine] = {}
    for n in notifications:
        if n.round >= view.round or n.answered_at is None or n.answer not in ("cancelled", "expired"):
            continue
        what = "annulé" if n.answer == "cancelled" else "expiré sans acceptation"
        label = f"{ordinal(n.round)} déclenchement {what}"
        ends.setdefault(n.round, TimelineLine(n.answered_at, label, "state"))
    return list(ends.values())


def prescription_timeline(
    view: PrescriptionView,
    notifications: list[NotificationView],
    comments: list[CommentOut],
    documents: list[DocumentOut],
    incidents: list[IncidentOut],
    patient_timeline: list[TimelineEntry] | None = None,
) -> list[TimelineLine]:
    """Every line of the « Horodatage », newest first."""
    lines: list[TimelineLine] = []
    for round_, at in _round_starts(view, notifications).items():
        count = sum(1 for n in notifications if n.round == round_)
        label = f"{ordinal(round_)} Déclenchement — {count} ressource(s) déclenchée(s)"
        if count == 0:
            label = f"{ordinal(round_)} Déclenchement — Aucune ressource disponible"
        lines.append(TimelineLine(at, label, "round"))
    lines += _state_lines(view)
    lines += _care_lines(view)
    lines += _earlier_round_ends(view, notifications)
    for n in notifications:
        if n.answer == "declined" and n.answered_at is not None:
            phoned = f" — {phone_note(n.on_behalf)}" if n.on_behalf else ""
            lines.append(TimelineLine(n.answered_at, f"refus de {n.name}{phoned}", "answer"))
    for c in comments:
        tag = f" [{c.tag}]" if c.tag else ""
        lines.append(TimelineLine(c.at, f"({c.author.name}){tag} : {c.text}", "comment"))
    for d in documents:
        lines.append(TimelineLine(d.at, f"Document ajouté par {d.author.name} : {d.filename}", "document"))
    for i in incidents:
        lines.append(TimelineLine(i.at, f"Incident signalé par {i.author.name} : {i.text}", "incident"))
    for entry in patient_timeline or []:
        if entry.kind == "case" and entry.data.get("case_id") == view.case_id:
            lines.append(TimelineLine(entry.at, entry.label, "case"))
    order = {
        "case": 0,
        "round": 1,
        "answer": 2,
        "state": 3,
        "care": 4,
        "comment": 4,
        "document": 4,
        "incident": 4,
    }
    return sorted(lines, key=lambda line: (line.at, order.get(line.kind, 5)), reverse=True)
