"""The « Déclenchement réussi » dialog: per prescription, the care, the profession and the count;
a prescription that reached nobody said so, with what to do next (`desktop/state/reached_nobody.py`)."""

from __future__ import annotations

from desktop.state.reached_nobody import LABEL as NOBODY
from desktop.state.reached_nobody import NEXT_STEP, NOBODY_REACHED
from shared.schemas.dispatch import CaseCreated

TITLE = "Déclenchement réussi"
NOBODY_TITLE = "Déclenchement envoyé, aucun professionnel joint"


def success_lines(created: CaseCreated, service: str = "") -> list[str]:
    """« OK pour déclenchement <service>, soin Bilan Sang, profession Infirmier => 3 intervenant(s)
    déclenché(s) »; « Personne de joint pour le soin …, profession … => Aucune ressource
    disponible » when nobody was notified (the request is on the board, to widen)."""
    lines = []
    for sent in created.prescriptions:
        what = f"soin {sent.care_type}, profession {sent.profession}"
        if sent.notified_count:
            head = f"OK pour déclenchement {service}".rstrip()
            lines.append(f"{head}, {what} => {sent.notified_count} intervenant(s) déclenché(s)")
        else:
            lines.append(f"Personne de joint pour le {what} => {NOBODY}")
    return lines


def reached_nobody_advice(created: CaseCreated) -> str:
    """What to do when a prescription reached nobody (empty when every one reached someone)."""
    nobody = [sent for sent in created.prescriptions if sent.notified_count == 0]
    if not nobody:
        return ""
    which = (
        "" if len(nobody) == len(created.prescriptions) else f" ({', '.join(s.care_type for s in nobody)})"
    )
    return f"{NOBODY_REACHED[0].upper()}{NOBODY_REACHED[1:]}{which}. {NEXT_STEP}"


def case_title(created: CaseCreated) -> str:
    reached = any(sent.notified_count for sent in created.prescriptions)
    return f"{TITLE if reached else NOBODY_TITLE} — fiche #{created.number.lstrip('#')}"
