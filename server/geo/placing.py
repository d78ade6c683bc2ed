"""Coordinates from the commune when nothing finer is known (patients, professionals)."""

from __future__ import annotations

from typing import Any

from server.geo.communes import commune_index


def fill_from_commune(values: dict[str, Any]) -> None:
    """Sets ``latitude``/``longitude`` to the commune's centroid when both are missing."""
    if values.get("latitude") is not None or values.get("longitude") is not None:
        return
    place = commune_index().place(values.get("commune_insee"))
    if place is not None:
        values["latitude"], values["longitude"] = place


def moved_commune(changes: dict[str, Any]) -> None:
    """A change of commune without new coordinates moves the coordinates to the new commune's centroid
    (the old ones belonged to the old address); unknown communes leave them as they were."""
    if "commune_insee" not in changes or {"latitude", "longitude"} & changes.keys():
        return
    place = commune_index().place(changes["commune_insee"])
    if place is not None:
        changes["latitude"], changes["longitude"] = place
