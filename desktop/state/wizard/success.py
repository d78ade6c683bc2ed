"""The « Déclenchement réussi » dialog: per prescription, the care, the profession and the count."""

from __future__ import annotations

from shared.schemas.dispatch import CaseCreated

TITLE = "Déclenchement réussi"
NOBODY = "Aucune ressource disponible"


def success_lines(created: CaseCreated, service: str = "") -> list[str]:
    """« OK pour déclenchement <service>, soin Bilan Sang, profession Infirmier => 3 intervenant(s)
    déclenché(s) », or « … => Aucune ressource disponible » when nobody matched (a valid outcome)."""
    lines = []
    for sent in created.prescriptions:
        outcome = f"{sent.notified_count} intervenant(s) déclenché(s)" if sent.notified_count else NOBODY
        head = f"OK pour déclenchement {service}".rstrip()
        lines.append(f"{head}, soin {sent.care_type}, profession {sent.profession} => {outcome}")
    return lines


def case_title(created: CaseCreated) -> str:
    return f"{TITLE} — fiche #{created.number.lstrip('#')}"
