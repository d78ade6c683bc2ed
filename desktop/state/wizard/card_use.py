"""What a card read may do to the wizard, without Qt: the lines of the beneficiary chooser, and
whether applying a card would replace something the operator typed (then the UI asks first).

A Carte Vitale fills « Recherche patient » (nom, prénom, date de naissance; its NIR goes on to
« Patient » with a notice); a CPS fills the requester on « Appelant ».
"""

from __future__ import annotations

from dataclasses import dataclass

from cardreader.cards.cps import CpsHolder
from cardreader.cards.vitale2 import Beneficiary
from desktop.state.wizard.caller_step import CallerStep
from desktop.state.wizard.search_step import SearchStep
from desktop.state.wizard.wizard import Step, Wizard

CARD_TRAITS = ("last_name", "first_name", "birth_date")


def birth_date_text(beneficiary: Beneficiary) -> str:
    """JJ/MM/AAAA as the search step shows it; a "lunar" date (19750000) as read: 00/00/1975."""
    raw = beneficiary.birth_date
    if len(raw) != 8:
        return raw
    return f"{raw[6:8]}/{raw[4:6]}/{raw[0:4]}"


def beneficiary_line(beneficiary: Beneficiary) -> str:
    """One line of the chooser: « DUPONT-MARTIN Hélène — née le 31/12/1984 »."""
    name = f"{beneficiary.last_name} {beneficiary.first_name}".strip()
    line = f"{name} — né(e) le {birth_date_text(beneficiary)}"
    if not beneficiary.birth_date_iso:
        line += " (date à corriger)"
    return line


def traits_from(beneficiary: Beneficiary) -> dict[str, str]:
    """What ``SearchStep.fill_from_beneficiary`` would write, field by field."""
    filled = SearchStep()
    filled.fill_from_beneficiary(beneficiary)
    return {name: getattr(filled, name) for name in CARD_TRAITS}


def typed_traits(wizard: Wizard) -> dict[str, str]:
    """The traits the operator has typed on « Recherche patient » (empty ones left out)."""
    search = wizard.search
    return {name: getattr(search, name) for name in CARD_TRAITS if getattr(search, name).strip()}


def _chosen(wizard: Wizard) -> bool:
    return wizard.search.selected_patient_id is not None or wizard.search.new_patient


def beneficiary_replaces_typing(wizard: Wizard, beneficiary: Beneficiary) -> bool:
    """True when choosing ``beneficiary`` would change a trait already typed (letter case and
    spaces aside), or undo a choice made with other traits (a patient picked in the results,
    « Ce patient n'est pas enregistré »)."""
    filled = traits_from(beneficiary)
    current = {name: getattr(wizard.search, name) for name in CARD_TRAITS}
    if _chosen(wizard):
        return filled != current
    return any(
        filled[name].strip().casefold() != value.strip().casefold()
        for name, value in typed_traits(wizard).items()
    )


def card_replaces_typing(wizard: Wizard, beneficiaries: tuple[Beneficiary, ...]) -> bool:
    """Asking is needed when some beneficiary of the card would replace what was typed."""
    return any(beneficiary_replaces_typing(wizard, b) for b in beneficiaries)


@dataclass(frozen=True, slots=True)
class VitalePlan:
    """What the UI does with a Carte Vitale read: apply the only beneficiary at once, or open the
    chooser (several beneficiaries, or one that replaces typed traits: the chooser is the question)."""

    apply_directly: Beneficiary | None
    warning: str  # French, shown in the chooser when typed traits would be replaced; "" otherwise


REPLACE_WARNING = (
    "Les nom, prénom et date de naissance saisis à l'étape « Recherche patient » seront remplacés."
)


def vitale_plan(wizard: Wizard, beneficiaries: tuple[Beneficiary, ...]) -> VitalePlan:
    replaces = card_replaces_typing(wizard, beneficiaries)
    if len(beneficiaries) == 1 and not replaces:
        return VitalePlan(beneficiaries[0], "")
    return VitalePlan(None, REPLACE_WARNING if replaces else "")


def apply_beneficiary(wizard: Wizard, beneficiary: Beneficiary) -> bool:
    """The chosen beneficiary fills the search traits; past « Recherche patient », the wizard goes
    back to it (the patient chosen before no longer matches the traits). A beneficiary equal to
    the patient already chosen changes nothing (False)."""
    if _chosen(wizard) and not beneficiary_replaces_typing(wizard, beneficiary):
        return False
    moved_on = wizard.step > Step.SEARCH
    wizard.use_beneficiary(beneficiary)
    while moved_on and wizard.step > Step.SEARCH:
        wizard.back()
    return True


def cps_replaces_typing(caller: CallerStep, holder: CpsHolder) -> bool:
    """True when the requester fields hold something else than what the CPS would write."""
    filled = CallerStep()
    filled.fill_from_cps(holder)
    typed = {"requester_name": caller.requester_name, "requester_rpps": caller.requester_rpps}
    return any(value.strip() and value.strip() != getattr(filled, name) for name, value in typed.items())


def cps_question(caller: CallerStep, holder: CpsHolder) -> str:
    name = f"{holder.last_name} {holder.first_name}".strip()
    return f"Remplacer le demandeur « {caller.requester_name.strip()} » par « {name} » (carte CPS) ?"
