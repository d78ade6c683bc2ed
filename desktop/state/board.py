"""The live board (« Tableau de bord »), without Qt: its rows, the change-feed events applied to them,
and the operator's filters.

Rows come from the board API (`GET /prescriptions`, one `PrescriptionView` each) in two sections:
« Mes fiches » (cases I created, `scope=mine`) and « Fiches supervisées » (the rest of my scope: a
supervisor's networks, the whole hotline for an operator). Events carry ids and a few values only
(`server/services/answers.py`, `cases.py`, `dispatch.py`): a state change is applied to its row at
once; a prescription the board has not got yet (`PrescriptionSent`, a renewal) is reported back
so that the caller fetches it through the board API, which applies the caller's scope.

Events may arrive after the board was read (the follower replays what it had not handled): a row
never moves back — an event older than what the row shows (an earlier round, or an earlier state
of the same round) is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import IntEnum

from desktop.state import reached_nobody
from desktop.state.board_texts import countdown_text as countdown_text
from desktop.state.board_texts import duration_text as duration_text
from desktop.state.board_texts import fold as fold
from desktop.state.board_texts import intervention_delay_text as intervention_delay_text
from desktop.state.board_texts import ordinal, refusals_text
from desktop.state.times import PLATFORM_ZONE, date_time, zone_named, zone_note
from shared.domain import PrescriptionState
from shared.schemas import feed
from shared.schemas.dispatch import PrescriptionView
from shared.validation import format_phone_national

DEFAULT_PERIOD_DAYS = 14
PERIODS: dict[int, str] = {
    1: "Aujourd'hui (24 h)",
    7: "7 derniers jours",
    14: "14 derniers jours",
    30: "30 derniers jours",
    90: "90 derniers jours",
}
# A state only moves forward within a round: pending → accepted → started → final.
_RANK = {
    PrescriptionState.PENDING: 0,
    PrescriptionState.ACCEPTED: 1,
    PrescriptionState.STARTED: 2,
    PrescriptionState.FINISHED: 3,
    PrescriptionState.EXPIRED: 3,
    PrescriptionState.CANCELLED: 3,
}
_EVENT_STATES: dict[type[feed.RoundChange], PrescriptionState] = {
    feed.PrescriptionAccepted: PrescriptionState.ACCEPTED,
    feed.PrescriptionStarted: PrescriptionState.STARTED,
    feed.PrescriptionFinished: PrescriptionState.FINISHED,
    feed.PrescriptionCancelled: PrescriptionState.CANCELLED,
    feed.PrescriptionExpired: PrescriptionState.EXPIRED,
}
# Events that bring a prescription the board may not have yet (or whose text changed).
FETCH_EVENTS = (feed.PrescriptionSent, feed.PrescriptionRenewed)


class Section(IntEnum):
    MINE = 0
    SUPERVISED = 1

    @property
    def label(self) -> str:
        return "Mes fiches" if self is Section.MINE else "Fiches supervisées"


@dataclass(slots=True)
class BoardRow:
    """One prescription as the board shows it (what a `PrescriptionView` brings, flattened)."""

    id: int
    case_id: int
    case_number: str
    section: Section
    round: int
    state: PrescriptionState
    profession_code: str
    profession: str
    care_type: str
    care_mode_label: str
    comment: str
    requester_name: str
    requester_profession: str
    caller_service: str
    patient_name: str
    patient_birth: str
    patient_age: int
    patient_phone: str
    patient_address: str
    intervention: str
    response_delay_minutes: int
    sent_at: datetime
    deadline_at: datetime
    priority_until: datetime | None
    notified_count: int
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    closed_at: datetime | None = None
    cancel_reason: str | None = None
    # refusals of the current round: who (to count a replayed event once) and how many
    declined_by: set[int] = field(default_factory=set)
    declined_count: int = 0
    haystack: str = ""
    zone: tzinfo = PLATFORM_ZONE  # the case's zone (overseas), else the platform's: every time shown
    patient_id: int | None = None  # « Déclenchement pour ce patient » (None: anonymised for this reader)

    @classmethod
    def from_view(cls, view: PrescriptionView, section: Section) -> BoardRow:
        patient = view.patient
        requester = view.requester
        caller = view.caller or {}
        zone = zone_named(view.intervention_tz)
        if view.intervention_at is not None:
            note = f" ({zone_note(zone)})" if zone_note(zone) else ""
            intervention = f"à partir du {date_time(view.intervention_at, zone)}{note}"
        else:
            intervention = intervention_delay_text(view.intervention_delay_minutes)
        row = cls(
            id=view.id,
            case_id=view.case_id,
            case_number=view.case_number,
            section=section,
            round=view.round,
            state=view.state,
            profession_code=view.profession_code,
            profession=view.profession,
            care_type=view.care_type,
            care_mode_label=view.care_mode.label,
            comment=view.comment,
            requester_name=str(requester.get("name") or ""),
            requester_profession=str(requester.get("profession") or ""),
            caller_service=str(caller.get("service") or caller.get("name") or ""),
            patient_name=f"{patient.last_name.upper()} {patient.first_name}" if patient else "",
            patient_birth=f"{patient.birth_date:%d/%m/%Y}" if patient else "",
            patient_age=view.area.age,
            patient_phone=format_phone_national(patient.phone) if patient else "",
            patient_address=patient.address_line if patient else view.area.commune,
            intervention=intervention,
            response_delay_minutes=view.response_delay_minutes,
            sent_at=view.sent_at,
            deadline_at=view.deadline_at,
            priority_until=view.priority_until,
            notified_count=view.notified_count,
            accepted_by=view.accepted_by.name if view.accepted_by else None,
            accepted_at=view.accepted_at,
            started_at=view.started_at,
            finished_at=view.finished_at,
            closed_at=view.closed_at,
            cancel_reason=view.cancel_reason,
            declined_by=set(view.declined_user_ids),
            declined_count=view.declined_count,
            zone=zone,
            patient_id=patient.id if patient else None,
        )
        row.haystack = fold(
            " ".join(
                (
                    row.case_number,
                    row.patient_name,
                    row.patient_address,
                    row.requester_name,
                    row.caller_service,
                    row.care_type,
                    row.comment,
                    row.profession,
                    row.accepted_by or "",
                )
            )
        )
        return row

    # ---- what the board shows -------------------------------------------------------------------
    def remaining(self, now: datetime) -> timedelta | None:
        """Time left to accept (pending rows only; negative once the deadline passed)."""
        return self.deadline_at - now if self.state is PrescriptionState.PENDING else None

    def priority_left(self, now: datetime) -> timedelta | None:
        """Time left in the usual professionals' priority window, while it is open."""
        if self.state is not PrescriptionState.PENDING or self.priority_until is None:
            return None
        left = self.priority_until - now
        return left if left > timedelta(0) else None

    @property
    def no_recipient(self) -> bool:
        """Pending, yet notified to nobody: « Aucune ressource disponible », not « En cours »."""
        return reached_nobody.reached_nobody(self.state, self.notified_count)

    def state_text(self) -> str:
        if self.no_recipient:
            return reached_nobody.LABEL
        if self.state is PrescriptionState.ACCEPTED and self.accepted_by:
            return f"Accepté par {self.accepted_by}"
        if self.state is PrescriptionState.STARTED and self.accepted_by:
            return f"Débuté par {self.accepted_by}"
        if self.state is PrescriptionState.FINISHED and self.accepted_by:
            return f"Terminé par {self.accepted_by}"
        return self.state.label

    def state_lines(self) -> str:
        """The « ÉTAT » cell: the state, then the current round's refusals (« 1 refus »)."""
        return "\n".join(text for text in (self.state_text(), refusals_text(self.declined_count)) if text)

    def declined(self, user_id: int) -> bool:
        """Counts one refusal of the current round; False when it was counted already."""
        if user_id in self.declined_by:
            return False
        self.declined_by.add(user_id)
        self.declined_count += 1
        return True

    def resources_text(self) -> str:
        if self.notified_count == 0:
            return "Aucune ressource disponible"
        return f"{self.notified_count} ressource(s) déclenchée(s)"

    def timeline(self) -> list[tuple[datetime, str]]:
        """« Horodatage »: the row's steps, latest first."""
        steps: list[tuple[datetime, str]] = [(self.sent_at, f"{ordinal(self.round)} Déclenchement")]
        if self.accepted_at is not None:
            steps.append((self.accepted_at, f"acceptation par {self.accepted_by or '?'}"))
        if self.started_at is not None:
            steps.append((self.started_at, f"démarrée par {self.accepted_by or '?'}"))
        if self.finished_at is not None:
            steps.append((self.finished_at, "terminée"))
        if self.state is PrescriptionState.CANCELLED and self.closed_at is not None:
            reason = f" Motif : {self.cancel_reason}" if self.cancel_reason else ""
            steps.append((self.closed_at, f"{ordinal(self.round)} déclenchement annulé{reason}"))
        if self.state is PrescriptionState.EXPIRED and self.closed_at is not None:
            steps.append((self.closed_at, "délai de réponse écoulé, aucun intervenant"))
        return sorted(steps, key=lambda step: step[0], reverse=True)


@dataclass(frozen=True)
class BoardFilter:
    """« #Numéro de fiche », « Mot-clé », « Période », « État », « Profession »."""

    number: str = ""
    keyword: str = ""
    period_days: int = DEFAULT_PERIOD_DAYS
    state: PrescriptionState | None = None
    profession_code: str | None = None

    def accepts(self, row: BoardRow, now: datetime) -> bool:
        number = self.number.strip().lstrip("#").strip()
        if number and not row.case_number.startswith(number):
            return False
        if self.state is not None and row.state is not self.state:
            return False
        if self.profession_code and row.profession_code != self.profession_code:
            return False
        if row.sent_at < now - timedelta(days=self.period_days):
            return False
        words = fold(self.keyword).split()
        return all(word in row.haystack for word in words)


@dataclass(frozen=True)
class Applied:
    """What an event did: the row updated (its position), or the prescription to fetch."""

    position: int | None = None
    fetch: int | None = None


@dataclass
class ServerClock:
    """The server's now, as the board counts down: the desktop's clock, moved forward when an event
    or a row read is dated later than it (neither is ever later than the server's now)."""

    local: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return self.local() + self.offset

    def observe(self, at: datetime) -> None:
        ahead = at - self.local()
        if ahead > self.offset:
            self.offset = ahead


class BoardState:
    """The rows in arrival order (a row keeps its position: the Qt model signals only it)."""

    def __init__(self, clock: ServerClock | None = None) -> None:
        self.clock = clock or ServerClock()
        self.rows: list[BoardRow] = []
        self.positions: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, prescription_id: int) -> BoardRow | None:
        position = self.positions.get(prescription_id)
        return None if position is None else self.rows[position]

    def replace(self, rows: Iterable[BoardRow]) -> None:
        """A full read of the board (first load, « Actualiser », another period)."""
        self.rows = []
        self.positions = {}
        for row in rows:
            self.upsert(row)

    def upsert(self, row: BoardRow) -> tuple[int, bool]:
        """Adds or replaces a row (never by an older state of it); « Mes fiches » wins when both
        sections return it. Returns its position and whether it is new."""
        # a row was sent no later than the server's now: a desktop that replays no old event (a new
        # store starts at the feed's head) learns a server clock ahead of its own from its rows too
        self.clock.observe(row.sent_at)
        position = self.positions.get(row.id)
        if position is None:
            self.positions[row.id] = len(self.rows)
            self.rows.append(row)
            return len(self.rows) - 1, True
        current = self.rows[position]
        if (row.round, _RANK[row.state]) < (current.round, _RANK[current.state]):
            return position, False  # read before an event the board already applied
        if current.section is Section.MINE:
            row.section = Section.MINE
        self.rows[position] = row
        return position, False

    def apply(self, event: feed.FeedEvent) -> Applied:
        """Applies one change-feed event; unknown prescriptions of `FETCH_EVENTS` are to fetch."""
        self.clock.observe(event.at)
        change = event.payload
        if event.prescription_id is None or not isinstance(change, feed.PrescriptionChange):
            return Applied()
        position = self.positions.get(event.prescription_id)
        if position is None:
            return Applied(fetch=event.prescription_id if isinstance(change, FETCH_EVENTS) else None)
        row = self.rows[position]
        if not isinstance(change, feed.RoundChange) or change.round < row.round:
            return Applied()  # comments, documents: not on the row; an earlier round: a later one is
        match change:
            case feed.PrescriptionRenewed():
                if change.round == row.round and row.state is PrescriptionState.PENDING:
                    return Applied()  # already read after the renewal
                _renew(row, change, event.at)
                return Applied(position=position, fetch=row.id)  # the comment gained the free text
            case feed.PrescriptionSent():
                return Applied()  # the row was read after it was sent: nothing new
            case feed.PrescriptionPoolOpened():
                row.notified_count = change.notified_count
                if change.round == row.round and row.priority_until and row.priority_until > event.at:
                    row.priority_until = event.at  # opened early (every usual professional declined)
                return Applied(position=position)
            case feed.PrescriptionDeclined():
                counted = change.round == row.round and row.declined(change.user_id)
                return Applied(position=position if counted else None)
        state = _EVENT_STATES.get(type(change))
        if state is None:
            return Applied()
        if change.round == row.round and _RANK[state] <= _RANK[row.state]:
            return Applied()  # replayed: the row is already there or further
        _move(row, state, change, event.at)
        return Applied(position=position)

    def visible(self, section: Section, board_filter: BoardFilter) -> list[BoardRow]:
        now = self.clock.now()
        return [r for r in self.rows if r.section is section and board_filter.accepts(r, now)]


def _renew(row: BoardRow, renewed: feed.PrescriptionRenewed, at: datetime) -> None:
    row.round = renewed.round
    row.state = PrescriptionState.PENDING
    row.sent_at = at
    row.notified_count = renewed.notified_count
    row.deadline_at = renewed.deadline_at
    row.priority_until = renewed.priority_until
    row.accepted_by = row.accepted_at = row.started_at = row.finished_at = None
    row.closed_at = row.cancel_reason = None
    row.declined_by = set()  # a new round: its own refusals
    row.declined_count = 0


def _move(row: BoardRow, state: PrescriptionState, change: feed.RoundChange, at: datetime) -> None:
    row.round = change.round
    row.state = state
    match change:
        case feed.PrescriptionAccepted():
            row.accepted_by = change.accepted_by_name or row.accepted_by or ""
            row.accepted_at = at
        case feed.PrescriptionStarted():
            row.started_at = at
        case feed.PrescriptionFinished():
            row.finished_at = row.closed_at = at
        case feed.PrescriptionCancelled():
            row.closed_at = at
            row.cancel_reason = change.reason
        case _:  # expired
            row.closed_at = at
