"""A request that reached nobody (issue 18, item 3): sent, still pending, but notified to no
professional (`notified_count == 0`). It is not « En cours »: nothing will happen until the
operator widens it, so the board, the send result, the details and the tray say so, and what to do.

`../shared/design/api.md` has the prescription view carry `"no_recipient": true` while so (read by
`of_view`); the board's rows, moved by feed events, apply the same rule to `notified_count`.
« Renouveler » widens such a request while it is still pending: another response delay, or
without its network restriction — the server starts a new round, nothing is cancelled first.
"""

from __future__ import annotations

from shared.domain import PrescriptionState
from shared.schemas.dispatch import PrescriptionView

LABEL = "Aucune ressource disponible"
COLOUR = "#d1c4e9"  # the board's « ÉTAT » cell: its own colour, neither amber (en cours) nor red
NOBODY_REACHED = (
    "aucun professionnel n'a été joint (personne de disponible pour ce soin, ici et dans ce délai)"
)
NEXT_STEP = (
    "À faire : élargir la demande — « Renouveler » avec un autre délai de réponse ou d'intervention "
    "(Tableau de bord, Entrée sur la fiche, onglet « Renouveler ») ; si elle était restreinte à un "
    "réseau, cochez « Sans restriction de réseau »."
)
BOARD_HINT = "Personne n'a reçu la demande :\nà renouveler (autre délai, sans réseau)"


def reached_nobody(state: PrescriptionState, notified_count: int) -> bool:
    """Sent and waiting, yet notified to nobody (the API's `no_recipient`)."""
    return state is PrescriptionState.PENDING and notified_count == 0


def state_label(state: PrescriptionState, label: str, notified_count: int) -> str:
    """The state as shown: « Aucune ressource disponible » rather than « En cours » when so."""
    return LABEL if reached_nobody(state, notified_count) else label


def of_view(view: PrescriptionView) -> bool:
    """The server's `no_recipient`, or the same rule on a view from before it said so."""
    return view.no_recipient or reached_nobody(view.state, view.notified_count)
