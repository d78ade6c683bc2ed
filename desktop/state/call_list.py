"""« Appels »: the call log and the calls to return, as the operator reads them (no Qt).

The server decides which calls are to be returned (`GET /calls?to_call_back=true`: incoming
calls that reached nobody and that nobody has taken yet) and who takes a callback (the first
`POST /calls/{id}/callback` wins, 409 for the others). Here: the French lines shown for each call
and the plan of one « Rappeler » — dial through the softphone when there is one, and take the
callback on the server once the call is placed (first come, first served: 409 for the others),
else show the number; « Rappelé par un autre moyen » takes it with that note. A call never leaves
the list because a number was merely shown or the softphone refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from desktop.state.times import PLATFORM_ZONE, day_time
from shared.schemas.calls import CallRecordOut
from shared.schemas.feed import CallChange, FeedEvent
from shared.validation import format_phone_national

OUTCOME_LABELS = {
    "completed": "Abouti",
    "missed": "Manqué",
    "rejected": "Refusé",
    "unanswered": "Sans réponse",
    "failed": "Échec",
    "transferred": "Transféré",
}
DIRECTION_LABELS = {"incoming": "Entrant", "outgoing": "Sortant"}
UNKNOWN_CALLER = "Appelant inconnu"
HIDDEN_NUMBER = "Numéro masqué"


def refreshes(event: FeedEvent) -> bool:
    """A change-feed event after which the calls view reads its lists again: a call recorded or
    updated, a callback taken."""
    return isinstance(event.payload, CallChange)


def national(number: str) -> str:
    """« 01 99 00 12 34 » for a French E.164 number; anything else as it came."""
    if not number:
        return HIDDEN_NUMBER
    if number.startswith("+"):
        try:
            return format_phone_national(number)
        except ValueError:
            return number
    return number


def caller_name(record: CallRecordOut) -> str:
    """Who called: the name the screen pop identified (several: the first « et N autres »)."""
    names = [c.display_name for c in record.identified if c.display_name]
    if len(names) == 1:
        return names[0]
    if names:
        return f"{names[0]} et {len(names) - 1} autre{'s' if len(names) > 2 else ''}"
    return record.remote_display_name or UNKNOWN_CALLER


def duration_text(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d}"


def when_text(moment: datetime, zone: tzinfo | None = None) -> str:
    """In `zone`, else the platform's (Europe/Paris) — never the workstation's."""
    return day_time(moment, zone or PLATFORM_ZONE)


def cases_text(record: CallRecordOut) -> str:
    """The cases created during the call: « #123, #124 », or « — »."""
    return ", ".join(f"#{n.lstrip('#')}" for n in record.case_numbers) or "—"


def callback_text(record: CallRecordOut, zone: tzinfo | None = None) -> str:
    if record.callback_at is None:
        return ""
    who = f" par {record.callback_by}" if record.callback_by else ""
    how = f" ({record.callback_note})" if record.callback_note else ""
    return f"Rappel pris en charge{who} le {when_text(record.callback_at, zone)}{how}"


@dataclass(frozen=True)
class CallLine:
    """One call as the tables show it (columns in `COLUMNS` order)."""

    call_id: str
    when: str
    direction: str
    number: str
    caller: str
    outcome: str
    duration: str
    operator: str
    cases: str
    callback: str
    dial: str  # what to dial back: the E.164 number (empty: hidden number)

    @classmethod
    def of(cls, record: CallRecordOut, zone: tzinfo | None = None) -> CallLine:
        return cls(
            call_id=record.id,
            when=when_text(record.started_at, zone),
            direction=DIRECTION_LABELS.get(record.direction, record.direction),
            number=national(record.remote_number),
            caller=caller_name(record),
            outcome=OUTCOME_LABELS.get(record.outcome, record.outcome),
            duration=duration_text(record.duration_seconds),
            operator=record.operator_name,
            cases=cases_text(record),
            callback=callback_text(record, zone),
            dial=record.remote_number,
        )


LOG_COLUMNS = ("Heure", "Sens", "Numéro", "Appelant", "Issue", "Durée", "Opérateur", "Fiches créées")
MISSED_COLUMNS = ("Heure", "Numéro", "Appelant", "Issue", "Opérateur", "", "")


def log_cells(line: CallLine) -> tuple[str, ...]:
    outcome = f"{line.outcome} — {line.callback}" if line.callback else line.outcome
    return (
        line.when, line.direction, line.number, line.caller, outcome, line.duration, line.operator,
        line.cases,
    )  # fmt: skip


def missed_cells(line: CallLine) -> tuple[str, ...]:
    return (line.when, line.number, line.caller, line.outcome, line.operator, "", "")


OTHER_MEANS_NOTE = "Rappelé par un autre moyen"
PLACED_NOTE = "Rappel passé depuis le poste"
STAYS = "l'appel reste à rappeler"


@dataclass(frozen=True)
class CallbackPlan:
    """What « Rappeler » does. The callback is taken on the server only once the softphone has
    placed the call (``take_when_placed``), or when the operator says they called by other means
    (``OTHER_MEANS_NOTE``): a number merely shown, a softphone that refused, leave the call in the
    list."""

    destination: str  # what the softphone dials (E.164); empty: nothing to dial
    dial: bool  # True: click-to-call through the softphone, then take the callback
    message: str  # what the operator reads (before dialling, or instead of it)


def plan_callback(line: CallLine, *, has_softphone: bool) -> CallbackPlan:
    if not line.dial:
        return CallbackPlan(
            "", False, f"Numéro masqué : rappel impossible ({STAYS} ; « {OTHER_MEANS_NOTE} » "
            "si l'appelant a été joint autrement)",
        )  # fmt: skip
    if has_softphone:
        return CallbackPlan(line.dial, True, f"Rappel de {line.number} en cours…")
    return CallbackPlan(
        line.dial, False, f"Pas de téléphone sur ce poste : composez le {line.number} pour rappeler "
        f"{line.caller}, puis « {OTHER_MEANS_NOTE} » ({STAYS} d'ici là)",
    )  # fmt: skip


def dial_failed(line: CallLine, reason: str) -> str:
    """The softphone could not place the call: nothing was taken on the server."""
    return (
        f"Rappel non passé : {reason.rstrip('.')}. Composez le {line.number}, puis "
        f"« {OTHER_MEANS_NOTE} » ({STAYS})"
    )


def placed_but_taken(line: CallLine, detail: str) -> str:
    """The call went out, but another operator had taken the callback meanwhile."""
    return f"Rappel de {line.number} en cours — {detail}"


def other_means_done(line: CallLine) -> str:
    return f"{line.number} : noté « {OTHER_MEANS_NOTE} »"


def callback_refused(detail: str) -> str:
    """The server's refusal (another operator took it first, call completed), as shown."""
    return f"Rappel impossible : {detail}"
