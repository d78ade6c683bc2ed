"""The supervisor's live view of the hotline (issue 19), without Qt: the « Opérateurs » grid (name,
state, since when in Paris time, pause reason, current caller) and the queue (calls waiting,
longest wait, estimated wait).

`GET /agents` and `GET /hotline/queue` give the truth; between two reads a feed event moves the
grid at once (`AgentStateChanged`: the operator's state and since when) and asks for a read
(`needs_read`): the caller and the names come with it. Waits grow with the clock (``now``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from desktop.state.agent_state import label_of
from desktop.state.times import clock_time
from shared.schemas.feed import AgentStateChanged, FeedEvent, HotlineQueueChanged
from shared.schemas.hotline import AgentOut, AgentState, Code, QueueOut

COLUMNS = ("Opérateur", "État", "Depuis", "Motif de pause", "Appelant")
STATE_ORDER = (
    AgentState.IN_CALL,
    AgentState.AFTER_CALL,
    AgentState.AVAILABLE,
    AgentState.PAUSE,
    AgentState.OFFLINE,
)


def duration_text(seconds: float) -> str:
    """« 45 s », « 5 min 03 s », « 1 h 05 »."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d}"


def since_text(since: datetime, now: datetime) -> str:
    """« 14:32:05 (12 min 04 s) » in Paris time, whatever the workstation's zone."""
    return f"{clock_time(since)} ({duration_text((now - since).total_seconds())})"


@dataclass(frozen=True)
class OperatorRow:
    user_id: int
    name: str
    state: AgentState
    since: datetime
    pause_reason: str | None
    pause_label: str
    caller: str
    connected: bool

    def cells(self, now: datetime) -> tuple[str, str, str, str, str]:
        state = (
            self.state.label
            if self.connected or self.state is AgentState.OFFLINE
            else (f"{self.state.label} (poste déconnecté)")
        )
        return (
            self.name,
            state,
            since_text(self.since, now),
            self.pause_label if self.state is AgentState.PAUSE else "",
            self.caller if self.state is AgentState.IN_CALL else "",
        )


class OperatorsBoard:
    def __init__(self) -> None:
        self.rows: dict[int, OperatorRow] = {}
        self.queue: QueueOut | None = None
        self.queue_read_at: datetime | None = None
        self.pause_reasons: list[Code] = []

    def load(self, agents: list[AgentOut]) -> None:
        self.rows = {
            a.user_id: OperatorRow(
                a.user_id,
                a.name,
                a.state,
                a.since,
                a.pause_reason,
                a.pause_label or label_of(self.pause_reasons, a.pause_reason),
                a.caller,
                a.connected,
            )
            for a in agents
        }

    def load_queue(self, queue: QueueOut, at: datetime) -> None:
        self.queue, self.queue_read_at = queue, at

    def apply(self, event: FeedEvent) -> bool:
        """Moves the grid with the event; True when the view should read the API again."""
        payload = event.payload
        if isinstance(payload, HotlineQueueChanged):
            return True
        if not isinstance(payload, AgentStateChanged):
            return False
        row = self.rows.get(payload.user_id)
        try:
            state = AgentState(payload.state)
        except ValueError:
            return True
        if row is not None:
            reason = payload.pause_reason if state is AgentState.PAUSE else None
            self.rows[payload.user_id] = replace(
                row,
                state=state,
                since=event.at,
                pause_reason=reason,
                pause_label=label_of(self.pause_reasons, reason),
                caller="" if state is not AgentState.IN_CALL else row.caller,
                connected=row.connected or payload.automatic != "disconnected",
            )
        return True  # the caller, a new operator: the API says

    def ordered(self) -> list[OperatorRow]:
        """In call first, then wrap-up, available, pause, offline; by name within a state."""
        return sorted(self.rows.values(), key=lambda r: (STATE_ORDER.index(r.state), r.name.lower()))

    def counts(self) -> dict[AgentState, int]:
        found = dict.fromkeys(AgentState, 0)
        for row in self.rows.values():
            found[row.state] += 1
        return found

    def counts_line(self) -> str:
        counts = self.counts()
        return " · ".join(f"{state.label} : {counts[state]}" for state in STATE_ORDER)

    # ---- the queue --------------------------------------------------------------------------------
    def waiting(self) -> int:
        return len(self.queue.waiting) if self.queue is not None else 0

    def longest_wait(self, now: datetime) -> float:
        """The oldest waiting caller's wait now (it grows between two reads)."""
        if self.queue is None or not self.queue.waiting:
            return 0.0
        return max((now - entry.arrived_at).total_seconds() for entry in self.queue.waiting)

    def queue_line(self, now: datetime) -> str:
        if self.queue is None:
            return "File d'attente : lecture…"
        waiting, available = self.waiting(), self.queue.available_operators
        if waiting == 0:
            return f"File d'attente : aucun appel en attente — opérateurs disponibles : {available}"
        estimate = self.queue.estimated_wait_seconds
        estimated = duration_text(estimate) if estimate is not None else "pas encore d'historique"
        calls = "1 appel en attente" if waiting == 1 else f"{waiting} appels en attente"
        return (
            f"File d'attente : {calls} — attente la plus longue {duration_text(self.longest_wait(now))} "
            f"— attente estimée {estimated} — opérateurs disponibles : {available}"
        )

    def queue_rows(self, now: datetime) -> list[tuple[str, str, str]]:
        """(arrived at, caller, waiting for) of each waiting caller, oldest first."""
        if self.queue is None:
            return []
        return [
            (
                clock_time(entry.arrived_at),
                entry.caller_name or entry.caller_number or "Numéro masqué",
                duration_text((now - entry.arrived_at).total_seconds()),
            )
            for entry in sorted(self.queue.waiting, key=lambda e: e.arrived_at)
        ]
