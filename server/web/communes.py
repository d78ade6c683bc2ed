"""Communes as the forms name them: « Massy (91300) — 91377 » (the autocomplete's choice), a code,
a name, or a postal code and a city."""

from __future__ import annotations

from server.errors import Invalid
from server.geo.communes import Commune, commune_index, search_key

SUGGESTIONS = 10


def label(commune: Commune) -> str:
    postal = commune.postal_codes[0] if commune.postal_codes else commune.department
    return f"{commune.name} ({postal}) — {commune.insee_code}"


def suggestions(text: str) -> list[Commune]:
    return commune_index().search(text, SUGGESTIONS) if len(text.strip()) >= 2 else []


def code_of(text: str) -> str:
    """The INSEE code of what was typed; Invalid (French) when none or several fit."""
    tail = text.rsplit("—", 1)[-1].strip()
    index = commune_index()
    if tail in index.by_code:
        return tail
    found = index.search(text, SUGGESTIONS)
    exact = [c for c in found if search_key(c.name) == search_key(text)]
    if len(found) == 1 or len(exact) == 1:
        return (exact or found)[0].insee_code
    if not found:
        raise Invalid("commune_unknown", f"Commune introuvable : « {text} »")
    names = ", ".join(label(c).split(" — ")[0] for c in found[:5])
    raise Invalid("commune_ambiguous", f"Précisez la commune : {names}…")


def of_address(postal_code: str, city: str) -> str | None:
    """The commune of a postal code and a city name, when exactly one fits (else None: the patient
    is then placed by nothing finer than the address the hotline geocodes)."""
    if not postal_code.strip():
        return None
    found = commune_index().search(postal_code, 50)
    named = [c for c in found if search_key(c.name) == search_key(city)] if city.strip() else []
    if len(named) == 1:
        return named[0].insee_code
    return found[0].insee_code if len(found) == 1 else None
