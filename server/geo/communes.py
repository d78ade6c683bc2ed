"""The bundled commune dataset (built by scripts/build_communes.py), searched in memory.

About 35,000 rows: loaded once on first use (a few tens of milliseconds), then answered from
sorted keys with a binary search — no database table to migrate or keep in step.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import heapq
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

from shared.validation import name_search_key

_DATA: Final = "data/communes.csv.gz"
# name_search_key folds SAINT/SAINTE into ST/STE; names are compared in the long form, so that
# "st denis", "saint-denis" and the partly typed "sain" all reach Saint-Denis, and "saint" never
# reaches Strasbourg.
_LONG_FORMS: Final = {"ST": "SAINT", "STE": "SAINTE"}


@dataclass(frozen=True)
class Commune:
    insee_code: str
    name: str
    postal_codes: tuple[str, ...]
    department: str
    population: int
    latitude: float | None
    longitude: float | None


def search_key(text: str) -> str:
    """Compact key of a commune name or of what was typed: "St-Denis" -> "SAINTDENIS"."""
    return "".join(_LONG_FORMS.get(t, t) for t in name_search_key(text).split())


class CommuneIndex:
    def __init__(self, communes: list[Commune]) -> None:
        self.by_code = {c.insee_code: c for c in communes}
        self._names = sorted((search_key(c.name), c.insee_code) for c in communes)
        self._postal = sorted((p, c.insee_code) for c in communes for p in c.postal_codes)

    def _prefixed(self, table: list[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
        start = bisect.bisect_left(table, (prefix, ""))
        found = []
        for key, code in table[start:]:
            if not key.startswith(prefix):
                break
            found.append((key, code))
        return found

    def search(self, query: str, limit: int) -> list[Commune]:
        """Communes by postal-code prefix (digits) or name prefix; exact matches first, then the
        most populated."""
        text = query.strip()
        compact = text.replace(" ", "")
        if compact.isdigit():
            matches = self._prefixed(self._postal, compact)
            exact = {code for key, code in matches if key == compact}
        else:
            key = search_key(text)
            matches = self._prefixed(self._names, key) if key else []
            exact = {code for found, code in matches if found == key}
        codes = {code for _, code in matches}
        # "saint" matches thousands of communes: keep the best `limit` without sorting them all.
        return heapq.nsmallest(
            limit,
            (self.by_code[c] for c in codes),
            key=lambda c: (c.insee_code not in exact, -c.population, c.name, c.insee_code),
        )

    def place(self, insee_code: str | None) -> tuple[float, float] | None:
        """The commune's centroid (latitude, longitude), if the commune and its outline are known."""
        commune = self.by_code.get(insee_code) if insee_code else None
        if commune is None or commune.latitude is None or commune.longitude is None:
            return None
        return commune.latitude, commune.longitude


def _read() -> list[Commune]:
    raw = gzip.decompress(files("server.geo").joinpath(_DATA).read_bytes()).decode("utf-8")
    communes = []
    for row in csv.DictReader(io.StringIO(raw)):
        communes.append(
            Commune(
                insee_code=row["insee_code"],
                name=row["name"],
                postal_codes=tuple(row["postal_codes"].split()),
                department=row["department"],
                population=int(row["population"] or 0),
                latitude=float(row["latitude"]) if row["latitude"] else None,
                longitude=float(row["longitude"]) if row["longitude"] else None,
            )
        )
    return communes


@cache
def commune_index() -> CommuneIndex:
    return CommuneIndex(_read())
