"""« Mon état » as the server records it (issue 19, `docs/hotline.md`), without Qt or I/O: what the
desktop sends for the call flow's state, the lists the platform sets (pause reasons,
qualifications), and what the operator is told when the server changed their state by itself.

The call flow (`desktop/state/call_flow.py`) holds the operator's state (`shared` `AgentState`);
`desktop/services/hotline_presence.py` sends it and follows the server's automatic changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.state.call_flow import CallFlow, CallView
from shared.schemas.feed import AgentStateChanged, FeedEvent
from shared.schemas.hotline import (
    CALL_ID_MAX,
    UNANSWERED_PAUSE,
    AgentState,
    AgentStateIn,
    Code,
    HotlineSettings,
)

CALLER_MAX = 200
AUTOMATIC_UNANSWERED = "unanswered"
AUTOMATIC_DISCONNECTED = "disconnected"


def caller_shown(view: CallView) -> str:
    """Who is on the line, as the popup names them: the identified caller, else the number."""
    if view.chosen is not None:
        return f"{view.chosen.display_name} ({view.number})"[:CALLER_MAX]
    if view.display_name:
        return f"{view.display_name} ({view.number})"[:CALLER_MAX]
    return view.number[:CALLER_MAX]


def state_body(flow: CallFlow, sip_user: str | None) -> AgentStateIn:
    """What ``PUT /agents/me/state`` says for the flow's state now."""
    state = flow.operator_state
    call = flow.in_call() if state is AgentState.IN_CALL else None
    return AgentStateIn(
        state=state,
        pause_reason=flow.pause_reason if state is AgentState.PAUSE else None,
        sip_user=sip_user,
        call_id=(call.sip_call_id[:CALL_ID_MAX] or None) if call is not None else None,
        caller=caller_shown(call) if call is not None else "",
    )


def offline_body(sip_user: str | None) -> AgentStateIn:
    return AgentStateIn(state=AgentState.OFFLINE, sip_user=sip_user)


def pause_choices(settings: HotlineSettings | None) -> list[Code]:
    """The reasons the operator may choose: the platform's list, without the server's own
    « Appels non répondus » (given by the server only)."""
    if settings is None:
        return []
    return [code for code in settings.pause_reasons if code.code != UNANSWERED_PAUSE]


def label_of(codes: list[Code], code: str | None) -> str:
    """A code's French label; the code itself when the list does not hold it (a list changed since)."""
    if not code:
        return ""
    return next((c.label for c in codes if c.code == code), code)


def state_text(state: AgentState, pause_label: str = "") -> str:
    """« Pause — Repas », « Disponible »…"""
    return f"{state.label} — {pause_label}" if state is AgentState.PAUSE and pause_label else state.label


@dataclass(frozen=True)
class ServerChange:
    """The server put this operator in a state by itself (``automatic`` says why)."""

    state: AgentState
    pause_reason: str | None
    automatic: str


def server_change(event: FeedEvent, user_id: int) -> ServerChange | None:
    """The feed's event when it is an automatic change of this operator's state, else None (the
    desktop's own changes come back on the feed too: they need nothing)."""
    payload = event.payload
    if not isinstance(payload, AgentStateChanged) or payload.user_id != user_id or not payload.automatic:
        return None
    try:
        state = AgentState(payload.state)
    except ValueError:
        return None
    return ServerChange(state, payload.pause_reason, payload.automatic)


def automatic_notice(change: ServerChange, pause_label: str = "") -> tuple[str, str]:
    """(title, message) of what the operator is told, in French."""
    if change.automatic == AUTOMATIC_UNANSWERED:
        return (
            "Mis en pause : appels non répondus",
            "Plusieurs appels du standard ont sonné sur votre poste sans réponse : vous êtes en "
            f"« {state_text(change.state, pause_label)} » et ne recevez plus d'appels. Choisissez "
            "« Disponible » (Ctrl+E) quand vous êtes prêt.",
        )
    if change.automatic == AUTOMATIC_DISCONNECTED:
        return (
            "Passé hors ligne",
            "Le serveur a perdu la connexion avec ce poste : vous êtes passé « Hors ligne » et ne "
            "recevez plus d'appels du standard. Choisissez « Disponible » (Ctrl+E) pour en recevoir à "
            "nouveau.",
        )
    return (
        f"État changé par le serveur : {change.state.label}",
        f"Le serveur central vous a mis en « {state_text(change.state, pause_label)} » ({change.automatic}).",
    )
